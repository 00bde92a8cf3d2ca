namespace Hub.Server.Limits;

/// <summary>
/// Counts events in fixed windows of time, for limits that judge a connection by what it did lately.
/// </summary>
/// <remarks>Safe to call from several threads; each connection keeps its own.</remarks>
public sealed class WindowCounter(TimeSpan window, TimeProvider time)
{
    private readonly Lock _lock = new();
    private long _windowStart = time.GetTimestamp();
    private long _count;

    /// <summary>The events counted in the current window.</summary>
    public long Current
    {
        get
        {
            lock (_lock)
            {
                return time.GetElapsedTime(_windowStart) >= window ? 0 : _count;
            }
        }
    }

    /// <summary>
    /// Counts one event and returns its number in the current window (1 for the first), and how many the window
    /// before it counted if that window ended with this call (0 otherwise).
    /// </summary>
    public (long InWindow, long EndedWindow) Increment()
    {
        lock (_lock)
        {
            var ended = 0L;
            var now = time.GetTimestamp();
            if (time.GetElapsedTime(_windowStart, now) >= window)
            {
                ended = _count;
                _windowStart = now;
                _count = 0;
            }

            _count++;
            return (_count, ended);
        }
    }
}
