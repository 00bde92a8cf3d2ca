namespace Hub.Server.Transport;

/// <summary>
/// Which transports the hub serves its clients over, bound from <c>Hub:Transport</c>.
/// </summary>
public sealed class TransportOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Transport";

    /// <summary>
    /// Whether WebSocket connections run on the hub's own WebSocket transport (one writer per socket, broadcast
    /// frames built once for all recipients) instead of SignalR's. On by default; off, every connection uses SignalR's
    /// transports as they come.
    /// </summary>
    public bool LeanWebSockets { get; set; } = true;

    /// <summary>
    /// Whether clients that cannot open a WebSocket may use server-sent events and long polling. Off by default: with
    /// <see cref="LeanWebSockets"/> the hub then answers <c>negotiate</c> itself with WebSockets as the only transport,
    /// so negotiating costs the hub no state. On, SignalR answers <c>negotiate</c> with every transport and serves
    /// negotiated connections itself; only connections that skip negotiation use the hub's WebSocket transport.
    /// </summary>
    public bool FallbackTransports { get; set; }

    /// <summary>
    /// Whether the hub's WebSocket transport writes each frame straight to the connection's socket instead of through
    /// Kestrel's output pipe (one <c>send</c> per frame on the writing thread, no copy and no wake-up of a send loop).
    /// On by default; connections over TLS always use Kestrel's output. Turn it off when a Kestrel connection
    /// middleware of your own changes the bytes a connection sends.
    /// </summary>
    public bool SocketWrites { get; set; } = true;
}
