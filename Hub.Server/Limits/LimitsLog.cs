using Hub.Server.Telemetry;

namespace Hub.Server.Limits;

internal static partial class LimitsLog
{
    [LoggerMessage(EventId = HubEventIds.TooManyConnections, EventName = "TooManyConnections", Level = LogLevel.Warning,
        Message = "Refused connection {ConnectionId} of user {UserId}: it already has {Limit} connections.")]
    public static partial void TooManyConnections(ILogger logger, string connectionId, string userId, int limit);

    [LoggerMessage(EventId = HubEventIds.CallRateLimited, EventName = "CallRateLimited", Level = LogLevel.Information,
        Message = "Refused {Method} of connection {ConnectionId} (user {UserId}): more than {PerSecond} calls per second.")]
    public static partial void CallRateLimited(ILogger logger, string method, string connectionId, string? userId, int perSecond);
}
