namespace Hub.Server.Listening;

/// <summary>
/// The leadership of an instance without a backplane: it serves only its own clients, so it always listens and never
/// takes a lock.
/// </summary>
public sealed class SingleInstanceLeadership : IListenerLeadership
{
    /// <inheritdoc />
    public bool Clustered => false;

    /// <inheritdoc />
    public Task<bool> TryLeadAsync(ListenerConnection connection, string database) => Task.FromResult(true);

    /// <inheritdoc />
    public Task StandByAsync(ListenerConnection connection) => Task.CompletedTask;

    /// <inheritdoc />
    public TimeSpan HeartbeatInterval => Timeout.InfiniteTimeSpan;

    /// <inheritdoc />
    public TimeSpan LeaseDuration => Timeout.InfiniteTimeSpan;

    /// <inheritdoc />
    public Task HeartbeatAsync(ListenerConnection connection, DateTime? delivered) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<LeadershipWait> WaitToLeadAsync(ListenerConnection connection, string database) => Task.FromResult(new LeadershipWait(true, null));

    /// <inheritdoc />
    public DateTime? RecentlyDelivered(string database) => null;
}
