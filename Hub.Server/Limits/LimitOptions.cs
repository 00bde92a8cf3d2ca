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

    /// <summary>
    /// Refused calls of one connection that are logged per <see cref="RefusalLogInterval"/>; further refusals are
    /// only counted, and their number is logged in one line when the interval ends or the connection closes.
    /// </summary>
    public int RefusalLogLines { get; set; } = 10;

    /// <summary>The interval <see cref="RefusalLogLines"/> applies to.</summary>
    public TimeSpan RefusalLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Calls refused for the call rate within <see cref="RateLimitedCallsWindow"/> after which the hub closes the
    /// connection; 0 never closes it. A well-behaved client that overshoots once gets a few refusals, not this many.
    /// </summary>
    public int RateLimitedCallsBeforeClose { get; set; } = 100;

    /// <summary>The window <see cref="RateLimitedCallsBeforeClose"/> counts in.</summary>
    public TimeSpan RateLimitedCallsWindow { get; set; } = TimeSpan.FromSeconds(10);
}
