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

    /// <summary>Becomes the listener of <paramref name="database"/> on <paramref name="connection"/> if no other instance is.</summary>
    Task<bool> TryLeadAsync(ListenerConnection connection, string database);

    /// <summary>Stops listening on <paramref name="connection"/> and marks it as a standby: the leader LISTENs for the cluster.</summary>
    Task StandByAsync(ListenerConnection connection);

    /// <summary>
    /// Waits a bounded time for the leader of <paramref name="database"/> to go; returns whether
    /// <paramref name="connection"/> leads now (and has its listener name back).
    /// </summary>
    Task<bool> WaitToLeadAsync(ListenerConnection connection, string database);
}
