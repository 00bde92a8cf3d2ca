using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Databases;

/// <summary>
/// Validates <see cref="RegistryOptions"/> at startup, naming the configuration key of every problem found.
/// </summary>
public sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        var failures = new List<string>();
        foreach (var (database, settings) in options.Databases)
        {
            ValidateDatabase(database, settings, failures);
        }

        var caseCollisions = options.Databases.Keys
            .GroupBy(static key => key, StringComparer.OrdinalIgnoreCase)
            .Where(static group => group.Count() > 1);
        foreach (var collision in caseCollisions)
        {
            failures.Add($"Hub:Databases: the names {string.Join(", ", collision.Select(static n => $"'{n}'"))} differ only in case; group names are case-insensitive, so use one.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateDatabase(string database, DatabaseOptions? settings, List<string> failures)
    {
        var key = $"{RegistryOptions.SectionName}:Databases:{database}";
        if (!PostgresNames.IsValidDatabase(database))
        {
            failures.Add($"{key}: '{database}' is not a valid database name (1-63 ASCII letters, digits, '_', '$' or '-', not starting with a digit or '-').");
        }

        if (settings is null)
        {
            failures.Add($"{key}: the database has no settings; set ConnectionString and Channels.");
            return;
        }

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            failures.Add($"{key}:ConnectionString is missing.");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // The message of a parse failure never contains the password, only the offending keyword.
                failures.Add($"{key}:ConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        ValidateChannels(key, settings.Channels, failures);
    }

    /// <summary>Checks a list of allowed channels configured under <paramref name="key"/> (also used for tenant databases).</summary>
    internal static void ValidateChannels(string key, IReadOnlyList<string> channels, List<string> failures)
    {
        if (channels.Count == 0)
        {
            failures.Add($"{key}:Channels is empty; list at least one channel clients may subscribe to.");
        }

        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            if (!PostgresNames.IsValidChannel(channel))
            {
                failures.Add($"{key}:Channels:{i}: '{channel}' is not a valid PostgreSQL identifier (1-63 ASCII letters, digits, '_' or '$', not starting with a digit or '$').");
            }
        }

        var duplicates = channels
            .Where(PostgresNames.IsValidChannel)
            .GroupBy(static channel => channel, StringComparer.OrdinalIgnoreCase)
            .Where(static group => group.Count() > 1);
        foreach (var duplicate in duplicates)
        {
            failures.Add($"{key}:Channels: '{duplicate.Key}' is listed more than once (channel names are compared ignoring case).");
        }
    }
}
