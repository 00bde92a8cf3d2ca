using Hub.Server.Telemetry;

namespace Hub.Server.Publishing;

internal static partial class PublishLog
{
    [LoggerMessage(EventId = HubEventIds.Published, EventName = "Published", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} (user {UserId}) published {Bytes} bytes to database '{Database}' channel '{Channel}'.")]
    public static partial void Published(ILogger logger, string connectionId, string userId, string database, string channel, int bytes);

    [LoggerMessage(EventId = HubEventIds.PublishFailed, EventName = "PublishFailed", Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} could not publish to database '{Database}' channel '{Channel}'.")]
    public static partial void Failed(ILogger logger, string connectionId, string database, string channel, Exception exception);
}
