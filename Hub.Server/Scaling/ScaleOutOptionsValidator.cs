using Microsoft.Extensions.Options;

namespace Hub.Server.Scaling;

/// <summary>
/// Fails startup on scale-out settings that would make instances miss each other, naming the bad key.
/// </summary>
public sealed class ScaleOutOptionsValidator : IValidateOptions<ScaleOutOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ScaleOutOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ChannelPrefix))
        {
            failures.Add($"{ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.ChannelPrefix)} must not be empty.");
        }

        if (options.StandbyLockWait < TimeSpan.FromMilliseconds(100) || options.StandbyLockWait > TimeSpan.FromHours(1))
        {
            failures.Add($"{ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.StandbyLockWait)} must be between 00:00:00.1 and 01:00:00 (was {options.StandbyLockWait}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
