using Hub.Server.Contracts;

namespace Hub.Server.Delivery;

/// <summary>
/// Closes, by itself, a gap in the live notifications of a database on this instance for the connections it can (the
/// durable streams they resumed, replayed from where each one stands), instead of the resync those connections would
/// get. Whoever finds the gap calls it and never learns who that is.
/// </summary>
/// <remarks>
/// The calls come in the order of the live notifications, and each returns at once: <see cref="Recover"/> holds the
/// connections it covers before anything after the gap is fanned out to them, and replays in the background.
/// </remarks>
public interface IDeliveryGapRecovery
{
    /// <summary>
    /// <paramref name="notification"/> (of an outbox database: it has a position) has just been fanned out to this
    /// instance's connections, in the order of the live stream. Must be quick.
    /// </summary>
    void Fanned(NotificationEnvelope notification);

    /// <summary>
    /// Live notifications of <paramref name="database"/> may have been missed since the one received at
    /// <paramref name="since"/>: holds the connections whose gap it closes and replays them. Returns their ids; they get
    /// no resync for it (one that cannot be replayed gets it from the recovery).
    /// </summary>
    IReadOnlySet<string> Recover(string database, DateTime since);

    /// <summary>The ids of the connections whose gaps in <paramref name="database"/> it would close, without starting anything.</summary>
    IReadOnlySet<string> Covered(string database);
}
