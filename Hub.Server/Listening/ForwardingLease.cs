namespace Hub.Server.Listening;

/// <summary>
/// Until when this instance may still send what its listener of a database received: the fence that keeps a leader
/// that froze, lost its connection or was replaced from sending stale notifications after its successor's.
/// </summary>
/// <remarks>
/// The listener renews the lease after each leadership heartbeat for less time than the other instances wait before
/// they take the lock from a silent leader (<see cref="IListenerLeadership.LeaseDuration"/>), and revokes it when it
/// stops leading. The lease runs on the monotonic clock, which keeps counting while a process is stopped, so a leader
/// that resumes after a freeze finds its lease over before it sends anything, without asking the database. A sink
/// checks <see cref="IsValid"/> before every send. A new lease never expires: without a backplane there is nobody to
/// hand over to.
/// </remarks>
public sealed class ForwardingLease(TimeProvider time)
{
    private long _validUntil = long.MaxValue;

    /// <summary>Whether sends are still allowed now.</summary>
    public bool IsValid => time.GetTimestamp() < Volatile.Read(ref _validUntil);

    /// <summary>Allows sends for <paramref name="duration"/> from <paramref name="startedAt"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void Renew(long startedAt, TimeSpan duration)
        => Volatile.Write(ref _validUntil, startedAt + (long)(duration.TotalSeconds * time.TimestampFrequency));

    /// <summary>Allows sends again with no end (a listener that is on its own).</summary>
    public void Grant() => Volatile.Write(ref _validUntil, long.MaxValue);

    /// <summary>Ends the lease now: nothing more is sent until it is renewed.</summary>
    public void Revoke() => Volatile.Write(ref _validUntil, long.MinValue);
}
