namespace Hub.Server.Limits;

/// <summary>
/// A connection's token bucket for hub calls: <c>burst</c> calls at once, refilled at <c>perSecond</c>. It refills
/// when a call asks for a token, from the time since the last one, so an idle connection costs no timer.
/// </summary>
/// <remarks>Safe to call from several threads (a client may run several calls in parallel).</remarks>
public sealed class CallRateBucket
{
    private readonly Lock _lock = new();
    private readonly int _burst;
    private readonly double _perSecond;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;

    /// <summary>Creates a full bucket.</summary>
    public CallRateBucket(int burst, int perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _burst = burst;
        _perSecond = perSecond;
        _time = time;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Takes a token for one call; false when the bucket is empty.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
