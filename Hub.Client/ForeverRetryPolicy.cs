using Microsoft.AspNetCore.SignalR.Client;

namespace Hub.Client;

/// <summary>
/// Reconnects forever: immediately, then with exponential backoff and jitter up to a cap. SignalR's default
/// policy gives up after four attempts, which leaves a long-running service deaf after a longer outage.
/// </summary>
internal sealed class ForeverRetryPolicy(TimeSpan maxDelay) : IRetryPolicy
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    public TimeSpan? NextRetryDelay(RetryContext retryContext) => DelayFor(retryContext.PreviousRetryCount, maxDelay);

    public static TimeSpan DelayFor(long previousAttempts, TimeSpan maxDelay)
    {
        if (previousAttempts == 0)
        {
            return TimeSpan.Zero;
        }

        var ceiling = Math.Min(maxDelay.TotalMilliseconds, FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(previousAttempts - 1, 20)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }
}
