using MessagePack;

namespace Hub.Client;

/// <summary>What <see cref="NotificationHubClient.SubscribeFromAsync"/> returns: the hub's answer to <c>SubscribeFrom</c>.</summary>
/// <param name="Channels">The channels of the database this client is subscribed to now.</param>
/// <param name="Position">
/// Where the subscription stands: the last notification replayed, or the head of the stream when nothing was; store
/// it (or the <see cref="HubNotification.Position"/> of each notification handled later) to resume from it.
/// </param>
/// <param name="Recovered">
/// False when the hub could not resume from the position given (older than retention, another incarnation of the
/// outbox): a <c>history-unavailable</c> resync was raised and the subscription continues live from
/// <paramref name="Position"/>.
/// </param>
[MessagePackObject]
public sealed record StreamSubscription(
    [property: Key("channels")] IReadOnlyList<string> Channels,
    [property: Key("position")] string Position,
    [property: Key("recovered")] bool Recovered);
