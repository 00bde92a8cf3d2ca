namespace Hub.Server.Listening;

/// <summary>
/// Capped exponential backoff with equal jitter: each delay is half the capped exponential step plus a random part of
/// up to the other half, so that listeners of many databases that lost the same server do not reconnect in lockstep,
/// yet never retry at once (full jitter could draw a delay of zero).
/// </summary>
public sealed class ReconnectBackoff(TimeSpan initialDelay, TimeSpan maxDelay)
{
    private int _failures;

    /// <summary>How many attempts failed in a row.</summary>
    public int Failures => _failures;

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan NextDelay()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, initialDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(delay);
    }

    /// <summary>Forgets past failures after a successful attempt.</summary>
    public void Reset() => _failures = 0;
}
