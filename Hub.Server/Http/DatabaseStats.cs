namespace Hub.Server.Http;

/// <summary>
/// One database in <c>GET /api/stats</c>.
/// </summary>
/// <param name="Subscribers">Connections of this instance subscribed to at least one of its channels.</param>
/// <param name="Subscriptions">(connection, channel) subscriptions on this instance.</param>
/// <param name="Listening">Whether this instance listens to it now (scaled out: whether it is the cluster's listener of it).</param>
/// <param name="State">idle, connecting, listening, reconnecting, offline, or standby (scaled out: another instance is its listener and this one waits to take over).</param>
/// <param name="Channels">The channels LISTENed on.</param>
/// <param name="NotificationsReceived">Notifications received since the instance started.</param>
/// <param name="LastNotificationAt">When the last one arrived, UTC.</param>
/// <param name="Reconnects">Listener connections re-established after a loss.</param>
/// <param name="LastError">Why the last connection failed, while it is failing, as a short category (<see cref="ErrorSummary"/>).</param>
/// <param name="PendingDeliveries">Notifications received and not yet sent to clients.</param>
/// <param name="Outbox">The durable stream of an outbox database; null for plain NOTIFY.</param>
public sealed record DatabaseStats(
    int Subscribers,
    int Subscriptions,
    bool Listening,
    string State,
    IReadOnlyList<string> Channels,
    long NotificationsReceived,
    DateTime? LastNotificationAt,
    long Reconnects,
    string? LastError,
    int PendingDeliveries,
    OutboxStats? Outbox = null);
