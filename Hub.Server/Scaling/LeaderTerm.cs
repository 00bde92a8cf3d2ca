namespace Hub.Server.Scaling;

/// <summary>
/// One stretch of this instance leading one database, as its envelope channel publisher sees it: the epoch it
/// publishes with, and whether it still can.
/// </summary>
/// <remarks>
/// A term is healthy while its last successful publish started less than <see cref="ScaleOutOptions.LeaderTimeout"/>
/// less one heartbeat interval ago (the leader publishes a heartbeat every heartbeat interval, so a healthy link always has a recent one) and
/// Redis has not refused it for a newer epoch. Abandoning it fails the publishes still waiting on a link that went
/// silent, so the delivery queue moves on and the leadership can go.
/// </remarks>
public sealed class LeaderTerm(long epoch, long startedAt)
{
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSuccessStartedAt = startedAt;
    private long _lastNotificationTicks;
    private volatile bool _superseded;

    /// <summary>The epoch every message of the term carries.</summary>
    public long Epoch { get; } = epoch;

    /// <summary>When the latest publish that succeeded was started (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastSuccessStartedAt => Interlocked.Read(ref _lastSuccessStartedAt);

    /// <summary>Whether Redis refused a publish because a leader with a newer epoch published.</summary>
    public bool Superseded => _superseded;

    /// <summary>Completes once the term is given up.</summary>
    public Task Abandoned => _abandoned.Task;

    /// <summary>The receive time of the last notification published in this term, if any.</summary>
    public DateTime? LastNotificationAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastNotificationTicks);
            return ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc);
        }
    }

    /// <summary>Records a publish started at <paramref name="startedAt"/> that succeeded.</summary>
    public void Succeeded(long startedAt, DateTime? notificationAt)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _lastSuccessStartedAt);
        }
        while (startedAt > current && Interlocked.CompareExchange(ref _lastSuccessStartedAt, startedAt, current) != current);

        if (notificationAt is { } at)
        {
            Interlocked.Exchange(ref _lastNotificationTicks, at.Ticks);
        }
    }

    /// <summary>Redis refused the term's epoch: another instance leads with a newer one.</summary>
    public void Supersede() => _superseded = true;

    /// <summary>Fails what still waits to be published in this term.</summary>
    public void Abandon() => _abandoned.TrySetResult();
}
