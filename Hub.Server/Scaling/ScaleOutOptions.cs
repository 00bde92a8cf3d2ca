namespace Hub.Server.Scaling;

/// <summary>
/// How instances share work when <c>Hub:Redis</c> is set, bound from <c>Hub:ScaleOut</c>.
/// </summary>
public sealed class ScaleOutOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:ScaleOut";

    /// <summary>
    /// The configuration key of <see cref="Redis"/>. It sits outside <see cref="SectionName"/> because it is part of the
    /// public configuration contract and predates the section.
    /// </summary>
    public const string RedisKey = "Hub:Redis";

    /// <summary>
    /// The Redis configuration string of the SignalR backplane, read from <see cref="RedisKey"/>. Empty means a single
    /// instance with in-memory groups.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Prepended to every Redis channel of the backplane, so that several deployments (or test runs) can share one
    /// Redis without hearing each other. Every instance of one deployment must use the same prefix.
    /// </summary>
    public string ChannelPrefix { get; set; } = "notify-hub";

    /// <summary>
    /// How long a standby listener waits on the database's lock in one statement before it checks whether it still
    /// has subscribers. The wait ends at once when the lock is released, so this does not delay a takeover; it bounds
    /// how long a standby whose subscribers all left keeps its connection, and how long a silently dropped standby
    /// connection goes unnoticed. A standby also looks at the leader's heartbeat between waits, so one wait lasts at
    /// most <see cref="LeaderHeartbeatInterval"/>.
    /// </summary>
    public TimeSpan StandbyLockWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the leader of a database runs a heartbeat statement on its listener connection, which standbys see
    /// in <c>pg_stat_activity</c> (<c>state_change</c>, and in <c>query</c> what it has sent so far).
    /// </summary>
    public TimeSpan LeaderHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a leader may go without a heartbeat before a standby terminates its session
    /// (<c>pg_terminate_backend</c>) and takes the lock: a frozen or hung leader is replaced within about this plus
    /// <see cref="LeaderHeartbeatInterval"/>. The leader itself stops sending half a heartbeat interval earlier.
    /// </summary>
    public TimeSpan LeaderTimeout { get; set; } = TimeSpan.FromSeconds(3); // three missed heartbeats: a busy machine's stall is no failover

}
