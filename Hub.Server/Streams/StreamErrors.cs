using Hub.Server.Subscriptions;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Streams;

/// <summary>The refusals of <c>SubscribeFrom</c>, worded in one place.</summary>
public static class StreamErrors
{
    /// <summary>The reason tag of a malformed position, for logs and metrics.</summary>
    public const string PositionInvalidReason = "position_invalid";

    /// <summary>The reason tag of a database without a durable stream.</summary>
    public const string NotAnOutboxReason = "not_an_outbox";

    /// <summary>The position is not one the hub wrote (malformed, truncated, edited, another version).</summary>
    public static HubException PositionInvalid() => new("position is not a valid stream position (pass null, or a position a notification or SubscribeFrom returned)");

    /// <summary>The database is a plain NOTIFY database.</summary>
    public static HubException NotAnOutbox(string database)
        => new($"database '{SubscriptionErrors.Printable(database)}' has no durable stream (Outbox:Enabled is off); use Subscribe");

    /// <summary>The payload is larger than the outbox accepts.</summary>
    public static HubException PayloadTooLarge(int bytes, int limit)
        => new($"payload is {bytes} bytes; this outbox database accepts at most {limit} bytes (UTF-8, Outbox:MaxPayloadBytes)");

    /// <summary>The history could not be read.</summary>
    public static HubException ReplayFailed(string database) => new($"the history of database '{SubscriptionErrors.Printable(database)}' could not be read; retry shortly");
}
