namespace Hub.Server.Listening;

/// <summary>
/// Where a database's listener stands. Stats, health and telemetry report it as is.
/// </summary>
public enum ListenerState
{
    /// <summary>No subscribers and no connection.</summary>
    Idle,

    /// <summary>Opening the first connection for new subscribers.</summary>
    Connecting,

    /// <summary>Connected, LISTENing on every channel that has subscribers.</summary>
    Listening,

    /// <summary>The connection was lost or could not be opened; retrying with backoff.</summary>
    Reconnecting,

    /// <summary>No subscribers are left and the last attempt to reach the database failed.</summary>
    Offline,

    /// <summary>
    /// Scaled out: another instance holds the database's lock and listens for the whole cluster; this one waits to take over.
    /// </summary>
    Standby,
}
