using Microsoft.Extensions.Options;

namespace Hub.Server.Publishing;

/// <summary>
/// Validates <see cref="PublishOptions"/> at startup, naming the key of every problem found.
/// </summary>
public sealed class PublishOptionsValidator : IValidateOptions<PublishOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PublishOptions options)
    {
        var failures = new List<string>();
        if (options.MaxPoolSize is < 1 or > 1024)
        {
            failures.Add($"{PublishOptions.SectionName}:MaxPoolSize must be between 1 and 1024.");
        }

        if (options.Timeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{PublishOptions.SectionName}:Timeout must be at least one second.");
        }

        if (options.IdleLifetime < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{PublishOptions.SectionName}:IdleLifetime must be at least one second.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
