using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Validates <see cref="ManagementOptions"/> at startup, naming the key of every problem found.
/// </summary>
public sealed class ManagementOptionsValidator : IValidateOptions<ManagementOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ManagementOptions options)
    {
        const string Key = ManagementOptions.SectionName;
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{Key}:Port must be between 1 and 65535.");
        }

        if (options.AllowAnonymous == true && !string.IsNullOrWhiteSpace(options.RequireRole))
        {
            failures.Add($"{Key}:AllowAnonymous cannot be true together with {Key}:RequireRole: choose one.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
