using Hub.Server.Databases;
using Hub.Server.Tenants;
using Microsoft.Extensions.Options;

namespace Hub.Server.Streams;

/// <summary>
/// Validates the durable streams' settings at startup, next to the registry's and the tenants' own validation:
/// <c>Hub:Databases:{name}:Outbox</c> and <c>Hub:Tenants:Outbox</c>.
/// </summary>
public sealed class OutboxOptionsValidator : IValidateOptions<RegistryOptions>, IValidateOptions<TenantOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Result(failures =>
        {
            foreach (var (database, settings) in options.Databases)
            {
                OutboxOptionsRules.Validate($"{RegistryOptions.SectionName}:Databases:{database}", settings?.Outbox, failures);
            }
        });
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Result(failures => OutboxOptionsRules.Validate(TenantOptions.SectionName, options.Outbox, failures));
    }

    private static ValidateOptionsResult Result(Action<List<string>> validate)
    {
        var failures = new List<string>();
        validate(failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
