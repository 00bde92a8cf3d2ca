using Hub.Server.Telemetry;

namespace Hub.Server.Limits;

internal static partial class LimitsLog
{
    [LoggerMessage(EventId = HubEventIds.TooManyConnections, EventName = "TooManyConnections", Level = LogLevel.Warning,
        Message = "Refused connection {ConnectionId} of user {UserId}: it already has {Limit} connections.")]
    public static partial void TooManyConnections(ILogger logger, string connectionId, string userId, int limit);

    [LoggerMessage(EventId = HubEventIds.CallRefused, EventName = "CallRefused", Level = LogLevel.Information,
        Message = "Refused a call of connection {ConnectionId} (user {UserId}): {Reason}: {Message}")]
    public static partial void CallRefused(ILogger logger, string connectionId, string userId, string reason, string message);

    [LoggerMessage(EventId = HubEventIds.RefusalsNotLogged, EventName = "RefusalsNotLogged", Level = LogLevel.Information,
        Message = "Connection {ConnectionId} (user {UserId}) had {Count} more calls refused than were logged within {Interval}.")]
    public static partial void RefusalsNotLogged(ILogger logger, string connectionId, string userId, long count, TimeSpan interval);

    [LoggerMessage(EventId = HubEventIds.ClosedForCallRate, EventName = "ClosedForCallRate", Level = LogLevel.Warning,
        Message = "Closed connection {ConnectionId} (user {UserId}): {Count} calls refused for the call rate within {Window}; {CooldownKey} may not connect again for {Cooldown}.")]
    public static partial void ClosedForCallRate(ILogger logger, string connectionId, string userId, long count, TimeSpan window, string cooldownKey, TimeSpan cooldown);

    [LoggerMessage(EventId = HubEventIds.NegotiationRefused, EventName = "NegotiationRefused", Level = LogLevel.Information,
        Message = "Refused a negotiation of user {UserId} from {Address}: {Message}")]
    public static partial void NegotiationRefused(ILogger logger, string userId, string address, string message);

    [LoggerMessage(EventId = HubEventIds.NegotiationRefusalsNotLogged, EventName = "NegotiationRefusalsNotLogged", Level = LogLevel.Information,
        Message = "{Count} more negotiations were refused than were logged within {Interval}.")]
    public static partial void NegotiationRefusalsNotLogged(ILogger logger, long count, TimeSpan interval);

    [LoggerMessage(EventId = HubEventIds.ConnectRefusedInCooldown, EventName = "ConnectRefusedInCooldown", Level = LogLevel.Information,
        Message = "Refused a negotiation or connection of user {UserId} from {Address}: {Message}")]
    public static partial void ConnectRefusedInCooldown(ILogger logger, string userId, string address, string message);
}
