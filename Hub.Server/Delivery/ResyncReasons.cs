namespace Hub.Server.Delivery;

/// <summary>
/// The <c>reason</c> values of a resync.
/// </summary>
public static class ResyncReasons
{
    /// <summary>The database's listener connection was lost and has been re-established.</summary>
    public const string ListenerReconnected = "listener-reconnected";
}
