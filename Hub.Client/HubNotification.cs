using MessagePack;

namespace Hub.Client;

/// <summary>
/// One PostgreSQL NOTIFY, as the hub delivered it.
/// </summary>
/// <param name="Database">The database name it was subscribed with.</param>
/// <param name="Channel">The NOTIFY channel.</param>
/// <param name="Payload">The NOTIFY payload, unchanged.</param>
/// <param name="ProcessId">The process id of the PostgreSQL backend that sent it.</param>
/// <param name="ReceivedAt">When the hub received it, UTC.</param>
/// <param name="Position">
/// Its place in the durable stream of an outbox database (null for plain NOTIFY): store it and pass it to
/// <c>SubscribeFrom</c> to get everything after it.
/// </param>
[MessagePackObject]
public sealed record HubNotification(
    [property: Key("database")] string Database,
    [property: Key("channel")] string Channel,
    [property: Key("payload")] string Payload,
    [property: Key("processId")] int ProcessId,
    [property: Key("receivedAt")] DateTime ReceivedAt,
    [property: Key("position")] string? Position = null);
