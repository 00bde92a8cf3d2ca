using Microsoft.Extensions.Logging;

namespace Hub.Server.Scaling;

internal static partial class ScaleOutLog
{
    [LoggerMessage(EventId = 401, EventName = "ListenerLeading", Level = LogLevel.Information,
        Message = "This instance now listens to database '{Database}' for the whole cluster (backend {ProcessId}).")]
    public static partial void Leading(ILogger logger, string database, int processId);

    [LoggerMessage(EventId = 402, EventName = "ListenerStandby", Level = LogLevel.Information,
        Message = "Another instance listens to database '{Database}'; this one waits to take over.")]
    public static partial void Standby(ILogger logger, string database);

    [LoggerMessage(EventId = 403, EventName = "ListenerTookOver", Level = LogLevel.Warning,
        Message = "Took over listening to database '{Database}'; resync sent for {Since:O} to {Until:O}.")]
    public static partial void TookOver(ILogger logger, string database, DateTime since, DateTime until);

    [LoggerMessage(EventId = 404, EventName = "BackplaneDisconnected", Level = LogLevel.Error,
        Message = "Lost the Redis backplane ({Endpoint}, {FailureType}); notifications to other instances are lost until it is back.")]
    public static partial void BackplaneDisconnected(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = 405, EventName = "BackplaneRestored", Level = LogLevel.Warning,
        Message = "The Redis backplane is back ({Endpoint}); sending resync to {Connections} local connection(s) for {Since:O} to {Until:O}.")]
    public static partial void BackplaneRestored(ILogger logger, string endpoint, int connections, DateTime since, DateTime until);

    [LoggerMessage(EventId = 406, EventName = "BackplaneResyncFailed", Level = LogLevel.Warning,
        Message = "Could not send the backplane resync to connection {ConnectionId}.")]
    public static partial void ResyncFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 407, EventName = "BackplaneConnecting", Level = LogLevel.Information,
        Message = "Connecting to the Redis backplane with channel prefix '{ChannelPrefix}'.")]
    public static partial void Connecting(ILogger logger, string channelPrefix);

    [LoggerMessage(EventId = 408, EventName = "ListenerDroppedBeforeLead", Level = LogLevel.Trace,
        Message = "Database '{Database}' channel '{Channel}': notification not forwarded, another instance is the listener.")]
    public static partial void NotForwarded(ILogger logger, string database, string channel);
}
