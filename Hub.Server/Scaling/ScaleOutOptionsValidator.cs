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

        if (options.LeaderHeartbeatInterval < TimeSpan.FromMilliseconds(100) || options.LeaderHeartbeatInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.LeaderHeartbeatInterval)} must be between 00:00:00.1 and 00:01:00 (was {options.LeaderHeartbeatInterval}).");
        }
        else if (options.LeaderTimeout < 2 * options.LeaderHeartbeatInterval || options.LeaderTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.LeaderTimeout)} must be at least twice {ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.LeaderHeartbeatInterval)} and at most 00:10:00 (was {options.LeaderTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
