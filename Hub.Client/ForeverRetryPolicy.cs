using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>
/// Reconnects forever: immediately, then with exponential backoff and equal jitter up to a cap (the rules of
/// clients/contract.json, <c>reconnect</c>). SignalR's default policy gives up after four attempts, which leaves a
/// long-running service deaf after a longer outage. Each attempt is logged at Information, so a client waiting out
/// its backoff after the hub is back is visible.
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

    /// <summary>
    /// Starts <paramref name="connection"/>, retrying by the same rules until the hub answers or
    /// <paramref name="cancellationToken"/> is cancelled: SignalR's retry policy covers reconnects only, not the first start.
    /// </summary>
    public static async Task StartAsync(HubConnection connection, TimeSpan maxDelay, ILogger logger, CancellationToken cancellationToken)
    {
        for (var attempt = 0L; ; attempt++)
        {
            try
            {
                await connection.StartAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ObjectDisposedException)
            {
                var delay = DelayFor(attempt + 1, maxDelay);
                ClientLog.ReconnectAttempt(logger, attempt + 2, delay, ex.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
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
