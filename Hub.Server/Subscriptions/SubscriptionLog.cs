using Microsoft.Extensions.Logging;

namespace Hub.Server.Subscriptions;

internal static partial class SubscriptionLog
{
    [LoggerMessage(EventId = 201, EventName = "Subscribed", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} subscribed to database '{Database}' channels {Channels}.")]
    public static partial void Subscribed(ILogger logger, string connectionId, string database, IEnumerable<string> channels);

    [LoggerMessage(EventId = 202, EventName = "Unsubscribed", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} unsubscribed from database '{Database}' channels {Channels}.")]
    public static partial void Unsubscribed(ILogger logger, string connectionId, string database, IEnumerable<string> channels);

    [LoggerMessage(EventId = 203, EventName = "SubscriptionRefused", Level = LogLevel.Information,
        Message = "Refused a call of connection {ConnectionId} (user {UserId}): {Reason}: {Message}")]
    public static partial void Refused(ILogger logger, string connectionId, string? userId, string reason, string message);

    [LoggerMessage(EventId = 204, EventName = "DatabaseUnreachable", Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} could not subscribe to database '{Database}': it was not ready within {Timeout}.")]
    public static partial void Unreachable(ILogger logger, string connectionId, string database, TimeSpan timeout, Exception? exception);
}
