namespace Hub.Server.Limits;

internal static partial class LimitsLog
{
    [LoggerMessage(EventId = 661, EventName = "TooManyConnections", Level = LogLevel.Warning,
        Message = "Refused connection {ConnectionId} of user {UserId}: it already has {Limit} connections.")]
    public static partial void TooManyConnections(ILogger logger, string connectionId, string userId, int limit);

    [LoggerMessage(EventId = 663, EventName = "RefusalsNotLogged", Level = LogLevel.Information,
        Message = "Connection {ConnectionId} (user {UserId}) had {Count} more calls refused than were logged within {Interval}.")]
    public static partial void RefusalsNotLogged(ILogger logger, string connectionId, string userId, long count, TimeSpan interval);

    [LoggerMessage(EventId = 664, EventName = "ClosedForCallRate", Level = LogLevel.Warning,
        Message = "Closed connection {ConnectionId} (user {UserId}): {Count} calls refused for the call rate within {Window}.")]
    public static partial void ClosedForCallRate(ILogger logger, string connectionId, string userId, long count, TimeSpan window);
}
