using MessagePack;

namespace Hub.Client;

/// <summary>
/// Notifications of <see cref="Database"/> between <see cref="Since"/> and <see cref="Until"/> may have
/// been missed: reload the state you derive from them.
/// </summary>
/// <param name="Database">The database name it was subscribed with.</param>
/// <param name="Reason">Why: one of <see cref="ResyncReasons"/>.</param>
/// <param name="Since">The last moment delivery is known to have worked, UTC.</param>
/// <param name="Until">The moment it worked again, UTC.</param>
[MessagePackObject]
public sealed record HubResync(
    [property: Key("database")] string Database,
    [property: Key("reason")] string Reason,
    [property: Key("since")] DateTime Since,
    [property: Key("until")] DateTime Until)
{
    /// <summary>The <see cref="Reason"/> of a resync raised by this client after it reconnected.</summary>
    public const string ClientReconnected = ResyncReasons.ClientReconnected;
}
