using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Listening;

internal static partial class ListenerLog
{
    [LoggerMessage(EventId = HubEventIds.ListenerConnecting, EventName = "ListenerConnecting", Level = LogLevel.Debug,
        Message = "Opening the listener connection of database '{Database}'.")]
    public static partial void Connecting(ILogger logger, string database);

    [LoggerMessage(EventId = HubEventIds.ListenerConnected, EventName = "ListenerConnected", Level = LogLevel.Information,
        Message = "Listener of database '{Database}' connected (backend {ProcessId}).")]
    public static partial void Connected(ILogger logger, string database, int processId);

    [LoggerMessage(EventId = HubEventIds.ListenerChannelsChanged, EventName = "ListenerChannelsChanged", Level = LogLevel.Information,
        Message = "Listener of database '{Database}' now LISTENs on {Channels}.")]
    private static partial void ChannelsChangedTo(ILogger logger, string database, string channels);

    /// <summary>The LISTEN set changed; an empty one reads "no channel".</summary>
    public static void ChannelsChanged(ILogger logger, string database, IReadOnlyCollection<string> channels)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ChannelsChangedTo(logger, database, channels.Count == 0 ? "no channel" : string.Join(", ", channels.Order(StringComparer.Ordinal)));
        }
    }

    [LoggerMessage(EventId = HubEventIds.ListenerStateChanged, EventName = "ListenerStateChanged", Level = LogLevel.Debug,
        Message = "Listener of database '{Database}': {Previous} -> {Next}.")]
    public static partial void StateChanged(ILogger logger, string database, ListenerState previous, ListenerState next);

    [LoggerMessage(EventId = HubEventIds.ListenerConnectionLost, EventName = "ListenerConnectionLost", Level = LogLevel.Warning,
        Message = "Listener of database '{Database}' lost its connection; notifications since {Since:O} may be missed.")]
    public static partial void ConnectionLost(ILogger logger, string database, DateTime since, Exception exception);

    [LoggerMessage(EventId = HubEventIds.ListenerConnectFailed, EventName = "ListenerConnectFailed", Level = LogLevel.Warning,
        Message = "Listener of database '{Database}' could not connect (attempt {Attempt}); retrying in {Delay}. {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string database, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = HubEventIds.ListenerReconnected, EventName = "ListenerReconnected", Level = LogLevel.Information,
        Message = "Listener of database '{Database}' reconnected; resync sent for {Since:O} to {Until:O}.")]
    public static partial void Reconnected(ILogger logger, string database, DateTime since, DateTime until);

    [LoggerMessage(EventId = HubEventIds.ListenerClosedIdle, EventName = "ListenerClosedIdle", Level = LogLevel.Information,
        Message = "Listener of database '{Database}' closed: no subscribers for {GracePeriod}.")]
    public static partial void ClosedIdle(ILogger logger, string database, TimeSpan gracePeriod);

    [LoggerMessage(EventId = HubEventIds.ListenerNotificationReceived, EventName = "ListenerNotificationReceived", Level = LogLevel.Trace,
        Message = "Database '{Database}' channel '{Channel}': notification of {PayloadLength} characters from backend {ProcessId}.")]
    public static partial void NotificationReceived(ILogger logger, string database, string channel, int payloadLength, int processId);

    [LoggerMessage(EventId = HubEventIds.ListenerFailed, EventName = "ListenerFailed", Level = LogLevel.Critical,
        Message = "Listener of database '{Database}' stopped on an unexpected error.")]
    public static partial void Failed(ILogger logger, string database, Exception exception);

    [LoggerMessage(EventId = HubEventIds.ListenerStopping, EventName = "ListenerStopping", Level = LogLevel.Debug,
        Message = "Stopping the listener of database '{Database}'.")]
    public static partial void Stopping(ILogger logger, string database);

    [LoggerMessage(EventId = HubEventIds.ListenerStopped, EventName = "ListenerStopped", Level = LogLevel.Debug,
        Message = "Listener of database '{Database}' stopped; {Pending} deliveries were still queued.")]
    public static partial void Stopped(ILogger logger, string database, int pending);

    [LoggerMessage(EventId = HubEventIds.ListenerLeading, EventName = "ListenerLeading", Level = LogLevel.Information,
        Message = "This instance now listens to database '{Database}' for the whole cluster (backend {ProcessId}).")]
    public static partial void Leading(ILogger logger, string database, int processId);

    [LoggerMessage(EventId = HubEventIds.ListenerStandby, EventName = "ListenerStandby", Level = LogLevel.Information,
        Message = "Another instance listens to database '{Database}'; this one waits to take over.")]
    public static partial void Standby(ILogger logger, string database);

    [LoggerMessage(EventId = HubEventIds.ListenerTookOver, EventName = "ListenerTookOver", Level = LogLevel.Warning,
        Message = "Took over listening to database '{Database}'; resync sent for {Since:O} to {Until:O}.")]
    public static partial void TookOver(ILogger logger, string database, DateTime since, DateTime until);

    [LoggerMessage(EventId = HubEventIds.ListenerDroppedBeforeLead, EventName = "ListenerDroppedBeforeLead", Level = LogLevel.Trace,
        Message = "Database '{Database}' channel '{Channel}': notification not forwarded, another instance is the listener.")]
    public static partial void NotForwarded(ILogger logger, string database, string channel);

    [LoggerMessage(EventId = HubEventIds.ListenerLeaseExpired, EventName = "ListenerLeaseExpired", Level = LogLevel.Warning,
        Message = "Listener of database '{Database}' could not renew its leadership in time; it stops sending and competes for the leadership again.")]
    public static partial void LeaseExpired(ILogger logger, string database);
}
