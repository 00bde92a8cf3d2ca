using Hub.Server.Databases;
using Microsoft.Extensions.Options;

namespace Hub.Server.Streams;

/// <summary>
/// Validates <c>Hub:Databases:{name}:Outbox</c> at startup, next to the registry's own validation of the databases.
/// </summary>
public sealed class OutboxOptionsValidator : IValidateOptions<HubOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (database, settings) in options.Databases)
        {
            OutboxOptionsRules.Validate($"{HubOptions.SectionName}:Databases:{database}", settings?.Outbox, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
