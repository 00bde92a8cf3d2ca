namespace Hub.Server.Listening;

/// <summary>
/// How the per-database LISTEN connections behave, bound from <c>Hub:Listener</c>.
/// </summary>
public sealed class ListenerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Listener";

    /// <summary>
    /// How long <c>Subscribe</c> waits for the database connection and its LISTEN before it fails
    /// with "database 'x' is unreachable".
    /// </summary>
    public TimeSpan SubscribeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a listener keeps its connection open after its last subscriber left, so that a client
    /// that reconnects or resubscribes does not pay for a new connection.
    /// </summary>
    public TimeSpan IdleGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first delay before reconnecting a lost listener connection; it doubles on each failure.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a listener connection may stay silent before the hub probes it with a query; a probe that
    /// does not come back within <see cref="KeepAliveTimeout"/> marks the connection lost. This is what
    /// detects a network drop that TCP alone would report only after many minutes.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the keepalive probe, and each LISTEN/UNLISTEN, may take before the connection counts as lost.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
