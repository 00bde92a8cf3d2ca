using Hub.Server.Tenants;
using Microsoft.Extensions.Options;

namespace Hub.Server.Streams;

/// <summary>
/// Validates <c>Hub:Tenants:Outbox</c> at startup: the durable stream of every tenant database.
/// </summary>
public sealed class TenantOutboxOptionsValidator : IValidateOptions<TenantOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        OutboxOptionsRules.Validate(TenantOptions.SectionName, options.Outbox, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
