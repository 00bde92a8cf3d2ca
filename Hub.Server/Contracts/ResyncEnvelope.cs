using MessagePack;

namespace Hub.Server.Contracts;

/// <summary>
/// The argument of the <c>resync</c> client method: notifications of <see cref="Database"/> between
/// <see cref="Since"/> and <see cref="Until"/> may have been missed, so clients should reload their state.
/// </summary>
/// <param name="Database">The database name clients subscribed with.</param>
/// <param name="Reason">Why notifications may have been missed (see <see cref="ResyncReasons"/>).</param>
/// <param name="Since">The last moment the hub knows it was receiving, UTC.</param>
/// <param name="Until">The moment it was receiving again, UTC.</param>
[MessagePackObject]
public sealed record ResyncEnvelope(
    [property: Key("database")] string Database,
    [property: Key("reason")] string Reason,
    [property: Key("since")] DateTime Since,
    [property: Key("until")] DateTime Until) : Envelope
{
    /// <inheritdoc />
    public override string ClientMethod() => ClientMethods.Resync;

    /// <summary>Every subscriber of its database, whatever the channel.</summary>
    public override string Group() => GroupNames.ForDatabase(Database);
}
