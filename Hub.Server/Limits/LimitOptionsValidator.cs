using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Validates <see cref="LimitOptions"/> at startup, naming the key of every problem found.
/// </summary>
public sealed class LimitOptionsValidator : IValidateOptions<LimitOptions>
{
    /// <summary>
    /// The smallest message size accepted: a Publish of a payload just under the NOTIFY limit, with its
    /// JSON framing, must fit.
    /// </summary>
    public const long MinMaximumReceiveMessageSize = 1024;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LimitOptions options)
    {
        var failures = new List<string>();
        RequirePositive(nameof(LimitOptions.SubscriptionsPerConnection), options.SubscriptionsPerConnection, failures);
        RequirePositive(nameof(LimitOptions.ConnectionsPerUser), options.ConnectionsPerUser, failures);
        RequirePositive(nameof(LimitOptions.CallsPerSecond), options.CallsPerSecond, failures);
        RequirePositive(nameof(LimitOptions.CallBurst), options.CallBurst, failures);
        if (options.RefusalLogLines < 0)
        {
            failures.Add($"{LimitOptions.SectionName}:RefusalLogLines must not be negative.");
        }

        if (options.RateLimitedCallsBeforeClose < 0)
        {
            failures.Add($"{LimitOptions.SectionName}:RateLimitedCallsBeforeClose must not be negative (0 never closes).");
        }

        RequirePositive(nameof(LimitOptions.PendingNegotiationsPerUser), options.PendingNegotiationsPerUser, failures);
        RequirePositive(nameof(LimitOptions.PendingNegotiationsPerAddress), options.PendingNegotiationsPerAddress, failures);
        RequirePositive(nameof(LimitOptions.MaxPendingNegotiations), options.MaxPendingNegotiations, failures);
        RequirePositive(nameof(LimitOptions.MaxDatabaseConnections), options.MaxDatabaseConnections, failures);
        RequirePositive(nameof(LimitOptions.NegotiationTimeout), options.NegotiationTimeout, failures);
        RequirePositive(nameof(LimitOptions.RefusalLogInterval), options.RefusalLogInterval, failures);
        RequirePositive(nameof(LimitOptions.RateLimitedCallsWindow), options.RateLimitedCallsWindow, failures);
        if (options.CallRateCooldown < TimeSpan.Zero)
        {
            failures.Add($"{LimitOptions.SectionName}:CallRateCooldown must not be negative (00:00:00 turns it off).");
        }

        if (options.MaximumReceiveMessageSize < MinMaximumReceiveMessageSize)
        {
            failures.Add($"{LimitOptions.SectionName}:MaximumReceiveMessageSize must be at least {MinMaximumReceiveMessageSize} bytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(string key, int value, List<string> failures)
    {
        if (value <= 0)
        {
            failures.Add($"{LimitOptions.SectionName}:{key} must be at least 1.");
        }
    }

    private static void RequirePositive(string key, TimeSpan value, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{LimitOptions.SectionName}:{key} must be positive.");
        }
    }
}
