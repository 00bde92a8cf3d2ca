namespace Hub.Client;

/// <summary>The <see cref="HubResync.Reason"/> values (clients/contract.json, <c>resyncReasons</c>); the JavaScript client exports the same.</summary>
public static class ResyncReasons
{
    /// <summary>The hub lost its connection to the database and has re-established it.</summary>
    public const string ListenerReconnected = "listener-reconnected";

    /// <summary>Another hub instance took over listening to the database (scaled out).</summary>
    public const string ListenerFailover = "listener-failover";

    /// <summary>The hub's Redis backplane was unreachable for a while.</summary>
    public const string BackplaneReconnected = "backplane-reconnected";

    /// <summary>The hub fell too far behind on the database and dropped notifications rather than deliver them late.</summary>
    public const string DeliveryOverloaded = "delivery-overloaded";

    /// <summary>This client lost its hub connection, reconnected and resubscribed (raised by the client itself).</summary>
    public const string ClientReconnected = "client-reconnected";

    /// <summary>
    /// The hub could not resume an outbox database from the position given to <c>SubscribeFrom</c> (older than
    /// retention, or from another incarnation of the outbox): the subscription continues live from the head.
    /// </summary>
    public const string HistoryUnavailable = "history-unavailable";
}
