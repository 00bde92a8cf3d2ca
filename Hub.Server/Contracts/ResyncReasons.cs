namespace Hub.Server.Contracts;

/// <summary>
/// The <c>reason</c> values of a resync.
/// </summary>
public static class ResyncReasons
{
    /// <summary>The database's listener connection was lost and has been re-established.</summary>
    public const string ListenerReconnected = "listener-reconnected";

    /// <summary>Another instance took over listening to the database (scaled out), so the handover may have missed some.</summary>
    public const string ListenerFailover = "listener-failover";

    /// <summary>
    /// The database's delivery queue went over <c>Hub:Delivery:MaxQueueLength</c> or <c>MaxQueueAge</c>: the hub dropped
    /// the oldest notifications rather than deliver them late.
    /// </summary>
    public const string DeliveryOverloaded = "delivery-overloaded";

    /// <summary>The Redis backplane was unreachable: notifications published meanwhile never reached this instance's clients.</summary>
    public const string BackplaneReconnected = "backplane-reconnected";

    /// <summary>
    /// <c>SubscribeFrom</c> was given a position the outbox cannot resume from: older than retention, from another
    /// incarnation (restore, truncate, reinstall) or ahead of the stream. The subscription continues live from the head.
    /// </summary>
    public const string HistoryUnavailable = "history-unavailable";
}
