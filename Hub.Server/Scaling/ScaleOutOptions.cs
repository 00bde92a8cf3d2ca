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
    /// connection goes unnoticed.
    /// </summary>
    public TimeSpan StandbyLockWait { get; set; } = TimeSpan.FromSeconds(5);
}
