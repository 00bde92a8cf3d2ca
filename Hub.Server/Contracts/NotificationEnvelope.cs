using MessagePack;

namespace Hub.Server.Contracts;

/// <summary>
/// The argument of the <c>notification</c> client method: one NOTIFY as PostgreSQL delivered it.
/// </summary>
/// <param name="Database">The database name clients subscribed with.</param>
/// <param name="Channel">The NOTIFY channel.</param>
/// <param name="Payload">The NOTIFY payload, unchanged.</param>
/// <param name="ProcessId">The process id of the backend that sent the NOTIFY.</param>
/// <param name="ReceivedAt">When the hub received it, UTC.</param>
/// <param name="Position">The notification's place in the durable stream of an outbox database; null for plain NOTIFY.</param>
[MessagePackObject]
public sealed record NotificationEnvelope(
    [property: Key("database")] string Database,
    [property: Key("channel")] string Channel,
    [property: Key("payload")] string Payload,
    [property: Key("processId")] int ProcessId,
    [property: Key("receivedAt")] DateTime ReceivedAt,
    [property: Key("position")] string? Position = null) : Envelope
{
    /// <inheritdoc />
    public override string ClientMethod() => ClientMethods.Notification;

    /// <summary>The subscribers of its channel.</summary>
    public override string Group() => GroupNames.ForChannel(Database, Channel);
}
