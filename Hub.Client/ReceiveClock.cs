using System.Collections.Concurrent;

namespace Hub.Client;

/// <summary>
/// When the client last heard from the hub: any message (notification, resync, invocation result, or the hub's
/// keep-alive ping) or a completed handshake. A lost connection's <c>client-reconnected</c> window starts there,
/// the last moment delivery is known to have worked, not when the loss was noticed (up to the server timeout later),
/// and no later than when the hub received the database's last notification that arrived: the hub may have received
/// more of that database after it and not sent them yet when the connection stalled.
/// </summary>
internal sealed class ReceiveClock(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _lastDeliveredTicks = new(StringComparer.Ordinal);
    private long _lastTicks = time.GetUtcNow().UtcTicks;

    /// <summary>The moment of the last message, UTC.</summary>
    public DateTime Last => new(Interlocked.Read(ref _lastTicks), DateTimeKind.Utc);

    /// <summary>Records that something arrived now. Called for every message but the hub's close, so it only writes a long.</summary>
    public void Stamp() => Interlocked.Exchange(ref _lastTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Records the hub's receive time of a notification of <paramref name="database"/> that arrived.</summary>
    public void Delivered(string database, DateTime hubReceivedAt) => _lastDeliveredTicks[database] = hubReceivedAt.ToUniversalTime().Ticks;

    /// <summary>
    /// Where the window of what <paramref name="database"/> may have missed starts, for a connection last heard from
    /// at <paramref name="lastHeard"/>: the earlier of that and the hub's receive time of its last notification.
    /// </summary>
    public DateTime MissedSince(string database, DateTime lastHeard)
        => _lastDeliveredTicks.TryGetValue(database, out var ticks) && ticks < lastHeard.Ticks ? new DateTime(ticks, DateTimeKind.Utc) : lastHeard;

    /// <summary>Now, on the same clock.</summary>
    public DateTime Now => time.GetUtcNow().UtcDateTime;
}
