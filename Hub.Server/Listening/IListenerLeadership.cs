namespace Hub.Server.Listening;

/// <summary>
/// Decides whether this instance's listener of a database forwards what it receives. A single instance always does
/// (<see cref="SingleInstanceLeadership"/>); instances that share a backplane let exactly one do it per database (the
/// advisory-lock leadership of the scale-out). Implementations work only through the listener connection's bounded
/// commands, so a database that stops answering costs a lost connection, never a stuck listener.
/// </summary>
public interface IListenerLeadership
{
    /// <summary>
    /// Whether instances compete for each database. The leader then serves the subscribers of every instance and
    /// LISTENs on every allowed channel, and a loser stands by.
    /// </summary>
    bool Clustered { get; }

    /// <summary>How often the leader proves it is alive (<see cref="HeartbeatAsync"/>); infinite for a single instance.</summary>
    TimeSpan HeartbeatInterval { get; }

    /// <summary>
    /// How long after a heartbeat started the leader may still send. Shorter than the silence after which other
    /// instances take the leadership from it, so that a leader that froze stops sending before its successor starts.
    /// </summary>
    TimeSpan LeaseDuration { get; }

    /// <summary>Becomes the listener of <paramref name="database"/> on <paramref name="connection"/> if no other instance is.</summary>
    Task<bool> TryLeadAsync(ListenerConnection connection, string database);

    /// <summary>Stops listening on <paramref name="connection"/> and marks it as a standby: the leader LISTENs for the cluster.</summary>
    Task StandByAsync(ListenerConnection connection);

    /// <summary>
    /// Tells the other instances that the leader on <paramref name="connection"/> is alive and has sent everything
    /// it received up to <paramref name="delivered"/>.
    /// </summary>
    Task HeartbeatAsync(ListenerConnection connection, DateTime? delivered);

    /// <summary>
    /// Waits a bounded time for the leader of <paramref name="database"/> to go, and takes the leadership from a
    /// leader that stopped sending heartbeats; reports whether <paramref name="connection"/> leads now (and has its
    /// listener name back) and what the leader last reported as sent.
    /// </summary>
    Task<LeadershipWait> WaitToLeadAsync(ListenerConnection connection, string database);

    /// <summary>
    /// The receive time of the last notification of <paramref name="database"/> this instance saw the cluster deliver,
    /// while a leader was heard from lately; null when none was. An instance that takes over without having stood by
    /// (it had no subscribers when the last leader went) starts its resync no later: what that leader held unsent is
    /// newer.
    /// </summary>
    DateTime? RecentlyDelivered(string database);
}
