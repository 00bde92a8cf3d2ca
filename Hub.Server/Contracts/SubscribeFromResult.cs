using MessagePack;

namespace Hub.Server.Contracts;

/// <summary>The result of <c>SubscribeFrom</c>.</summary>
/// <param name="Channels">The channels of the database the connection is subscribed to now.</param>
/// <param name="Position">
/// Where the connection's stream stands once the replay is written: everything up to here was delivered (or, with
/// <paramref name="Recovered"/> false, could not be), everything after it follows live. A client stores it.
/// </param>
/// <param name="Recovered">False when the position given could not be resumed from (a <c>history-unavailable</c> resync was sent).</param>
[MessagePackObject]
public sealed record SubscribeFromResult(
    [property: Key("channels")] string[] Channels,
    [property: Key("position")] string Position,
    [property: Key("recovered")] bool Recovered);
