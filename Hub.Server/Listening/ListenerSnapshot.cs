namespace Hub.Server.Listening;

/// <summary>
/// A point-in-time view of one database's listener, for stats and health.
/// </summary>
/// <param name="Database">The database name clients use.</param>
/// <param name="State">Where the listener stands.</param>
/// <param name="Channels">The channels LISTENed on right now.</param>
/// <param name="Subscriptions">How many (connection, channel) subscriptions hold the listener open.</param>
/// <param name="NotificationsReceived">Notifications received since the hub started.</param>
/// <param name="LastNotificationAt">When the last notification arrived, UTC.</param>
/// <param name="Reconnects">How many times the connection was re-established after a loss.</param>
/// <param name="LastError">Why the last connection attempt or connection failed, if it did.</param>
/// <param name="PendingDeliveries">Envelopes received and not yet sent to clients.</param>
public sealed record ListenerSnapshot(
    string Database,
    ListenerState State,
    IReadOnlyList<string> Channels,
    int Subscriptions,
    long NotificationsReceived,
    DateTime? LastNotificationAt,
    long Reconnects,
    string? LastError,
    int PendingDeliveries);
