using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Scaling;

internal static partial class ScaleOutLog
{
    [LoggerMessage(EventId = HubEventIds.BackplaneDisconnected, EventName = "BackplaneDisconnected", Level = LogLevel.Error,
        Message = "Lost the Redis backplane ({Endpoint}, {FailureType}); notifications to other instances are lost until it is back.")]
    public static partial void BackplaneDisconnected(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = HubEventIds.BackplaneRestored, EventName = "BackplaneRestored", Level = LogLevel.Warning,
        Message = "The Redis backplane is back ({Endpoint}); sending resync to {Connections} local connection(s) for {Since:O} to {Until:O}.")]
    public static partial void BackplaneRestored(ILogger logger, string endpoint, int connections, DateTime since, DateTime until);

    [LoggerMessage(EventId = HubEventIds.BackplaneResyncFailed, EventName = "BackplaneResyncFailed", Level = LogLevel.Warning,
        Message = "Could not send the backplane resync to connection {ConnectionId}.")]
    public static partial void ResyncFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = HubEventIds.BackplaneConnecting, EventName = "BackplaneConnecting", Level = LogLevel.Information,
        Message = "Connecting to the Redis backplane with channel prefix '{ChannelPrefix}'.")]
    public static partial void Connecting(ILogger logger, string channelPrefix);

    [LoggerMessage(EventId = HubEventIds.LeaderFenced, EventName = "LeaderFenced", Level = LogLevel.Warning,
        Message = "The leader of database '{Database}' (backend {ProcessId}) sent no heartbeat for {Silent}: terminating its session to take over.")]
    public static partial void LeaderFenced(ILogger logger, string database, int processId, TimeSpan silent);
}
