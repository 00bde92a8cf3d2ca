using Hub.Server.Databases;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Tenants;

/// <summary>
/// Validates <see cref="TenantOptions"/> at startup, naming the key of every problem found.
/// </summary>
public sealed class TenantOptionsValidator : IValidateOptions<TenantOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenantOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        const string Key = TenantOptions.SectionName;
        var failures = new List<string>();
        ValidateTemplate(options.ConnectionStringTemplate, failures);
        if (string.IsNullOrWhiteSpace(options.NamePattern))
        {
            failures.Add($"{Key}:NamePattern is required with {Key}:ConnectionStringTemplate, so that clients cannot name arbitrary databases.");
        }
        else if (options.PatternMatchTimeout > TimeSpan.Zero)
        {
            try
            {
                _ = TenantNamePattern.Create(options.NamePattern, options.PatternMatchTimeout);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{Key}:NamePattern is not a valid regular expression: {ex.Message}");
            }
        }

        RegistryOptionsValidator.ValidateChannels(Key, options.Channels, failures);
        if (!PostgresNames.IsValidDatabase(options.MaintenanceDatabase))
        {
            failures.Add($"{Key}:MaintenanceDatabase '{options.MaintenanceDatabase}' is not a valid database name.");
        }

        RequirePositive(nameof(TenantOptions.CacheDuration), options.CacheDuration, failures);
        RequirePositive(nameof(TenantOptions.NegativeCacheDuration), options.NegativeCacheDuration, failures);
        RequirePositive(nameof(TenantOptions.PatternMatchTimeout), options.PatternMatchTimeout, failures);
        if (options.LookupsPerSecond <= 0)
        {
            failures.Add($"{Key}:LookupsPerSecond must be at least 1.");
        }

        if (options.MaxCachedNames <= 0)
        {
            failures.Add($"{Key}:MaxCachedNames must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTemplate(string? template, List<string> failures)
    {
        const string Key = $"{TenantOptions.SectionName}:ConnectionStringTemplate";
        if (string.IsNullOrWhiteSpace(template))
        {
            failures.Add($"{Key} is required with {TenantOptions.SectionName}:NamePattern.");
            return;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(template);
            if (builder.Database != TenantOptions.DatabasePlaceholder)
            {
                failures.Add($"{Key} must set Database={TenantOptions.DatabasePlaceholder}.");
            }
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{Key} is not a valid Npgsql connection string: {ex.Message}");
        }
    }

    private static void RequirePositive(string key, TimeSpan value, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{TenantOptions.SectionName}:{key} must be positive.");
        }
    }
}
