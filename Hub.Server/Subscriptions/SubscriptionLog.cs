using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Subscriptions;

internal static partial class SubscriptionLog
{
    [LoggerMessage(EventId = HubEventIds.Subscribed, EventName = "Subscribed", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} subscribed to database '{Database}' channels {Channels}.")]
    public static partial void Subscribed(ILogger logger, string connectionId, string database, IEnumerable<string> channels);

    [LoggerMessage(EventId = HubEventIds.Unsubscribed, EventName = "Unsubscribed", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} unsubscribed from database '{Database}' channels {Channels}.")]
    public static partial void Unsubscribed(ILogger logger, string connectionId, string database, IEnumerable<string> channels);

    [LoggerMessage(EventId = HubEventIds.DatabaseUnreachable, EventName = "DatabaseUnreachable", Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} could not subscribe to database '{Database}': it was not ready within {Timeout}.")]
    public static partial void Unreachable(ILogger logger, string connectionId, string database, TimeSpan timeout, Exception? exception);
}
