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

    /// <summary>
    /// How long after a connection was closed for its call rate (<see cref="RateLimitedCallsBeforeClose"/>) its user, or
    /// its remote address when it is anonymous, may not negotiate or open a new connection: those get 429 with
    /// <c>Retry-After</c>. The user's other open connections stay. <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    // A flooder that reconnects at once then costs one handshake per cool-down, not one per hundred refusals; an
    // official client's automatic reconnect (retries 0, 2, 10 and 30 s apart, 42 s in all) still gets in on its last retry.
    public TimeSpan CallRateCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Negotiations (<c>POST {hub}/negotiate</c>) one authenticated user may have that have not connected yet; more are
    /// refused with 429. A client negotiates once per connection and connects at once, so this many only pile up when
    /// a client negotiates without connecting.
    /// </summary>
    // As many as the user may hold connections: a client reconnecting all of them at once stays within it.
    public int PendingNegotiationsPerUser { get; set; } = 20;

    /// <summary>
    /// Negotiations one remote address (an IPv6 /64) may have that have not connected yet, whoever the users are.
    /// Behind a proxy the address is the proxy's unless the hub is told the client's (see the security docs).
    /// </summary>
    // Larger than per user: several users can share an address (NAT, an office).
    public int PendingNegotiationsPerAddress { get; set; } = 100;

    /// <summary>
    /// Negotiations that have not connected yet the hub keeps track of in all; beyond it every negotiation is refused.
    /// Bounds the hub's memory for them whatever the number of addresses a flood comes from.
    /// </summary>
    public int MaxPendingNegotiations { get; set; } = 10_000;

    /// <summary>
    /// How long a negotiation counts as pending when its connection does not arrive. Longer than SignalR keeps a
    /// negotiated connection that never connected (15 s), so that the count covers every one it still holds.
    /// </summary>
    public TimeSpan NegotiationTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// PostgreSQL connections the hub may open in all, over every database (configured and tenant): each listener
    /// counts one for as long as it runs, an outbox database's reader and replay pools their size along with it, and
    /// a publisher pool as many as it opened until it has been idle for <c>Hub:Publish:IdleLifetime</c>. Subscribe or
    /// Publish that would need more is refused; what already runs is never taken away.
    /// </summary>
    // PostgreSQL's default max_connections is 100 (a few reserved): leave room for the applications on the same server.
    public int MaxDatabaseConnections { get; set; } = 80;
}
