using Hub.Server.Telemetry;

namespace Hub.Server.Transport;

internal static partial class TransportLog
{
    [LoggerMessage(EventId = HubEventIds.WebSocketConnected, EventName = "WebSocketConnected", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} opened on the hub's WebSocket transport.")]
    public static partial void Connected(ILogger logger, string connectionId);

    [LoggerMessage(EventId = HubEventIds.WebSocketDisconnected, EventName = "WebSocketDisconnected", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} on the hub's WebSocket transport ended.")]
    public static partial void Disconnected(ILogger logger, string connectionId);

    [LoggerMessage(EventId = HubEventIds.WebSocketAuthenticationExpired, EventName = "WebSocketAuthenticationExpired", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} closed because its authentication token has expired.")]
    public static partial void AuthenticationExpired(ILogger logger, string connectionId);
}
