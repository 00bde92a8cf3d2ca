namespace Hub.Server.Limits;

/// <summary>
/// What one client may use, bound from <c>Hub:Limits</c>. Each limit refuses with a message that names it.
/// </summary>
public sealed class LimitOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Limits";

    /// <summary>(database, channel) subscriptions one connection may hold.</summary>
    public int SubscriptionsPerConnection { get; set; } = 100;

    /// <summary>
    /// Connections one authenticated user (token <c>sub</c>) may hold on this instance at once. Anonymous
    /// connections carry no identity and are not counted; put a proxy's per-address limit in front for those.
    /// </summary>
    public int ConnectionsPerUser { get; set; } = 20;

    /// <summary>
    /// The largest hub message a client may send, in bytes (SignalR's <c>MaximumReceiveMessageSize</c>). A larger
    /// message closes the connection, so keep it above the NOTIFY payload limit plus framing.
    /// </summary>
    public long MaximumReceiveMessageSize { get; set; } = 32 * 1024;

    /// <summary>Hub calls (Subscribe, Unsubscribe, Publish) one connection may make per second, on average.</summary>
    public int CallsPerSecond { get; set; } = 20;

    /// <summary>Hub calls one connection may make at once after being quiet (the token bucket's size).</summary>
    // As large as the subscription limit: a reconnecting client resubscribes channel by channel, all at once.
    public int CallBurst { get; set; } = 100;
}
