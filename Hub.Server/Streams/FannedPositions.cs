using Hub.Server.Contracts;

namespace Hub.Server.Streams;

/// <summary>
/// The newest position this instance fanned out live on each channel of each outbox database, each with the count of
/// fan-outs at which it was reached: with a connection's <see cref="DeliveredMark"/>, where that connection stands.
/// </summary>
/// <remarks>
/// Every connection of a channel's group gets the same live notifications in the same order, so one record per channel
/// serves them all: a connection whose mark was set at count <c>n</c> has, besides its mark, every notification fanned
/// out after <c>n</c> (it was in the group then; a hold dropped only those at or before its mark). Positions are kept
/// as text: two of one epoch (the same first <see cref="StreamPosition.EpochPrefixLength"/> characters) compare as
/// ordinal strings, so nothing is parsed per notification.
/// </remarks>
internal sealed class FannedPositions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Database, string Channel), (string Position, long At)> _newest = new(ChannelKeyComparer.Instance);
    private long _count;

    /// <summary>How many notifications have been fanned out so far: the stamp of a mark set now.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Records <paramref name="notification"/>, fanned out just now; one without a position is not an outbox's.</summary>
    public void Add(NotificationEnvelope notification)
    {
        if (notification.Position is not { } position)
        {
            return;
        }

        lock (_gate)
        {
            _count++;
            var key = (notification.Database, notification.Channel);
            if (!_newest.TryGetValue(key, out var newest) || IsNewer(position, newest.Position))
            {
                // A new leader's repeat of a batch leaves the newest where it was.
                _newest[key] = (position, _count);
            }
        }
    }

    /// <summary>Where a connection with <paramref name="mark"/> on <paramref name="channel"/> of <paramref name="database"/> stands now.</summary>
    public StreamPosition Resolve(string database, string channel, DeliveredMark mark)
    {
        string? newer;
        lock (_gate)
        {
            newer = _newest.TryGetValue((database, channel), out var newest) && newest.At > mark.Stamp ? newest.Position : null;
        }

        // One of another epoch that came after the mark is where the connection went on from.
        return StreamPosition.TryParse(newer, out var fanned) && (fanned.Value.Epoch != mark.Position.Epoch || fanned.Value.IsAfter(mark.Position))
            ? fanned.Value
            : mark.Position;
    }

    private static bool IsNewer(string position, string than)
        => !position.AsSpan(0, Math.Min(position.Length, StreamPosition.EpochPrefixLength)).SequenceEqual(than.AsSpan(0, Math.Min(than.Length, StreamPosition.EpochPrefixLength)))
            || string.CompareOrdinal(position, than) > 0;

    private sealed class ChannelKeyComparer : IEqualityComparer<(string Database, string Channel)>
    {
        public static ChannelKeyComparer Instance { get; } = new();

        public bool Equals((string Database, string Channel) x, (string Database, string Channel) y)
            => StringComparer.OrdinalIgnoreCase.Equals(x.Database, y.Database) && StringComparer.OrdinalIgnoreCase.Equals(x.Channel, y.Channel);

        public int GetHashCode((string Database, string Channel) obj)
            => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Database), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Channel));
    }
}
