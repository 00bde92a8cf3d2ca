using System.Text.RegularExpressions;
using Hub.Server.Databases;

namespace Hub.Server.Streams;

/// <summary>
/// The checks of one <see cref="OutboxOptions"/>, shared by configured and tenant databases.
/// </summary>
public static partial class OutboxOptionsRules
{
    /// <summary>Outbox schemas are lower-case identifiers short enough for the wake-up and cursor channels (<c>{schema}_wake</c>, <c>{schema}_sent</c>) to fit.</summary>
    public const int MaxSchemaLength = PostgresNames.MaxIdentifierBytes - 5;

    /// <summary>Adds a message naming <c>{key}:Outbox:...</c> for every bad setting of <paramref name="outbox"/>.</summary>
    public static void Validate(string key, OutboxOptions? outbox, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (outbox is null || !outbox.Enabled)
        {
            return;
        }

        var prefix = $"{key}:Outbox";
        if (outbox.Schema is null || !SchemaPattern().IsMatch(outbox.Schema))
        {
            failures.Add($"{prefix}:Schema '{outbox.Schema}' is not a valid outbox schema (1-{MaxSchemaLength} lower-case ASCII letters, digits or '_', not starting with a digit).");
        }

        if (outbox.Retention <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}:Retention must be positive.");
        }

        if (outbox.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}:PollInterval must be positive.");
        }

        // PostgreSQL text values end at 1 GB; the limit is stored in an integer column.
        if (outbox.MaxPayloadBytes is <= 0 or > 512 * 1024 * 1024)
        {
            failures.Add($"{prefix}:MaxPayloadBytes must be between 1 and {512 * 1024 * 1024}.");
        }

        if (outbox.BatchSize is <= 0 or > 10_000)
        {
            failures.Add($"{prefix}:BatchSize must be between 1 and 10000.");
        }

        if (outbox.ReplayPoolSize is <= 0 or > 100)
        {
            failures.Add($"{prefix}:ReplayPoolSize must be between 1 and 100.");
        }
    }

    [GeneratedRegex(@"^[a-z_][a-z0-9_]{0,57}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaPattern();
}
