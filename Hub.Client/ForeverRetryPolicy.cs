using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>
/// Reconnects forever: immediately, then with exponential backoff and equal jitter up to a cap (the rules of
/// clients/contract.json, <c>reconnect</c>). SignalR's default policy gives up after four attempts, which leaves a
/// long-running service deaf after a longer outage. Each attempt is logged, so a client waiting out its backoff
/// after the hub is back is visible.
/// </summary>
internal sealed class ForeverRetryPolicy(TimeSpan maxDelay, ILogger logger) : IRetryPolicy
{
    internal static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        var delay = DelayFor(retryContext.PreviousRetryCount, maxDelay);
        ClientLog.ReconnectAttempt(logger, retryContext.PreviousRetryCount + 1, delay, retryContext.RetryReason?.Message ?? "connection lost");
        return delay;
    }

    /// <summary>The wait before attempt <paramref name="previousAttempts"/> + 1; <paramref name="random"/> in [0, 1) draws the jitter.</summary>
    public static TimeSpan DelayFor(long previousAttempts, TimeSpan maxDelay, Func<double>? random = null)
    {
        if (previousAttempts <= 0)
        {
            return TimeSpan.Zero;
        }

        var ceiling = Math.Min(maxDelay.TotalMilliseconds, FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(previousAttempts - 1, 20)));
        var draw = random?.Invoke() ?? Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds((ceiling / 2) + (draw * ceiling / 2));
    }
}
