using Hub.Server.Delivery;

namespace Hub.Server.Streams;

/// <summary>
/// One hold of a connection's live messages (by <c>SubscribeFrom</c> or by the recovery of a gap) and what it is for:
/// where each resumed channel stood when it began, what replays under it wrote, and the databases still owed a
/// replay before it may end.
/// </summary>
/// <remarks>Not thread-safe: its <see cref="StreamConnection"/>'s lock guards it.</remarks>
internal sealed class HeldStreams(DeliveryHold hold, long stamp, Dictionary<string, Dictionary<string, StreamPosition>> start)
{
    private readonly Dictionary<string, Dictionary<string, StreamPosition>> _written = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DateTime> _owed = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, HashSet<string>> _abandoned = new(StringComparer.OrdinalIgnoreCase);

    // Read by the connection writer under its own lock while a replay runs: replaced, never changed in place.
    private volatile Dictionary<string, HashSet<string>> _replaying = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The hold.</summary>
    public DeliveryHold Hold { get; } = hold;

    /// <summary>The fan-out count when the hold began: live notifications after it are held (or reach the group later).</summary>
    public long Stamp { get; } = stamp;

    /// <summary>The databases the replays under this hold wrote, with each channel's last position.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, StreamPosition>> Written => _written;

    /// <summary>Owes <paramref name="database"/> a replay, and a resync from <paramref name="since"/> if it cannot have one.</summary>
    public void Owe(string database, DateTime since)
        => _owed[database] = _owed.TryGetValue(database, out var owed) && owed < since ? owed : since;

    /// <summary>The databases owed a replay, and since when each may have missed notifications; none are owed after this.</summary>
    public KeyValuePair<string, DateTime>[] TakeOwed()
    {
        KeyValuePair<string, DateTime>[] owed = [.. _owed];
        _owed.Clear();
        return owed;
    }

    /// <summary>Where a replay of <paramref name="channel"/> of <paramref name="database"/> under this hold starts: after what was written, or where it stood.</summary>
    public StreamPosition? From(string database, string channel)
        => _written.TryGetValue(database, out var written) && written.TryGetValue(channel, out var last) ? last
            : start.TryGetValue(database, out var stood) && stood.TryGetValue(channel, out var at) ? at
            : null;

    /// <summary>Records that the connection has every row of <paramref name="channel"/> of <paramref name="database"/> up to <paramref name="upTo"/>.</summary>
    public void Wrote(string database, string channel, StreamPosition upTo)
    {
        if (!_written.TryGetValue(database, out var written))
        {
            written = new Dictionary<string, StreamPosition>(StringComparer.OrdinalIgnoreCase);
            _written[database] = written;
        }

        written[channel] = written.TryGetValue(channel, out var last) && last.Epoch == upTo.Epoch ? StreamPosition.Max(last, upTo) : upTo;
    }

    /// <summary>
    /// Records that a replay under this hold writes <paramref name="channels"/> of <paramref name="database"/>: what is
    /// held of them may be shed when the hold fills up, because that replay reads on past it (<see cref="IsReplayed"/>).
    /// </summary>
    public void Replaying(string database, IEnumerable<string> channels)
    {
        var replaying = new Dictionary<string, HashSet<string>>(_replaying, StringComparer.OrdinalIgnoreCase);
        replaying[database] = replaying.TryGetValue(database, out var known)
            ? new HashSet<string>(known.Concat(channels), StringComparer.OrdinalIgnoreCase)
            : new HashSet<string>(channels, StringComparer.OrdinalIgnoreCase);
        _replaying = replaying;
        Hold.ShedWidened();
    }

    /// <summary>Whether a held message is a notification of a channel a replay under this hold writes: the writer may shed it.</summary>
    /// <remarks>Runs under the connection writer's lock, one whole serialized hub message at a time.</remarks>
    public bool IsReplayed(ReadOnlyMemory<byte> message)
        => _replaying is { Count: > 0 } replaying
            && NotificationFrame.TryRead(message, out var frame)
            && replaying.TryGetValue(frame.Database, out var channels)
            && channels.Contains(frame.Channel);

    /// <summary>
    /// Records that the replay of <paramref name="channels"/> of <paramref name="database"/> failed: what is held of
    /// them came after history the replay did not write, and goes nowhere.
    /// </summary>
    public void Abandon(string database, IEnumerable<string> channels)
    {
        if (!_abandoned.TryGetValue(database, out var abandoned))
        {
            abandoned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            _abandoned[database] = abandoned;
        }

        abandoned.UnionWith(channels);
    }

    /// <summary>
    /// Whether a held message is dropped when the hold ends: it repeats what a replay under this hold wrote, or it is
    /// of a channel whose replay failed (delivered, it would have the client skip the history it never got).
    /// </summary>
    /// <remarks>Runs under the connection writer's lock, one whole serialized hub message at a time.</remarks>
    public bool IsDropped(ReadOnlyMemory<byte> message)
        => (_written.Count > 0 || _abandoned.Count > 0)
            && NotificationFrame.TryRead(message, out var frame)
            && ((_abandoned.TryGetValue(frame.Database, out var abandoned) && abandoned.Contains(frame.Channel)) || IsRepeat(frame));

    private bool IsRepeat(NotificationFrame frame)
        => _written.TryGetValue(frame.Database, out var written)
            && written.TryGetValue(frame.Channel, out var upTo)
            && StreamPosition.TryParse(frame.Position, out var position)
            && position.Value.Epoch == upTo.Epoch
            && !position.Value.IsAfter(upTo);
}
