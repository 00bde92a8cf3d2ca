namespace Hub.Server.Telemetry;

/// <summary>
/// One database's figures for <see cref="HubStateMetrics"/>, as <see cref="IHubStateSource"/> reports them.
/// </summary>
/// <param name="Database">The database name clients use.</param>
/// <param name="ListenerState">Its listener's state, one of <see cref="IHubStateSource.ListenerStates"/>.</param>
/// <param name="Subscribers">Connections subscribed to at least one of its channels.</param>
/// <param name="Subscriptions">(connection, channel) subscriptions that hold its listener open.</param>
/// <param name="NotificationsReceived">Notifications its listener received.</param>
/// <param name="Reconnects">Listener connections re-established after a loss.</param>
/// <param name="PendingDeliveries">Envelopes received and not yet sent.</param>
public sealed record DatabaseGauges(
    string Database,
    string ListenerState,
    long Subscribers,
    long Subscriptions,
    long NotificationsReceived,
    long Reconnects,
    long PendingDeliveries);
