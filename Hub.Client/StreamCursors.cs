namespace Hub.Client;

/// <summary>
/// The last position delivered per (database, channel) of outbox databases, and which channels resume from it after
/// a reconnect (those subscribed with <c>SubscribeFrom</c>). Its lock is taken by the receive loop and by
/// (re)subscribing, each briefly.
/// </summary>
/// <remarks>
/// Tracking per channel, not per database: a channel subscribed later than another starts at its own position, and
/// resuming it from the other's would replay rows it never subscribed to. Within one channel the hub delivers in
/// stream order, so its last position says everything before it has been delivered.
/// </remarks>
internal sealed class StreamCursors
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Database, string Channel), Cursor> _cursors = [];
    private readonly Dictionary<string, string> _latest = new(StringComparer.Ordinal);

    /// <summary>
    /// Records a notification's position; false when it is at or before the last one delivered on its channel (a
    /// repeat at the seam of a resume), which the caller drops. Notifications without a position always pass.
    /// </summary>
    public bool TryAdvance(string database, string channel, string? position)
    {
        if (position is null)
        {
            return true;
        }

        lock (_gate)
        {
            var cursor = CursorOf(database, channel);
            if (!StreamPositions.Supersedes(position, cursor.Position))
            {
                return false;
            }

            cursor.Position = position;
            AdvanceLatest(database, position);
            return true;
        }
    }

    /// <summary>
    /// After <c>SubscribeFrom</c> answered: the channels resume after reconnects, from at least <paramref name="position"/>,
    /// a place up to which nothing more will arrive (the position resumed from, or the head the hub started live at).
    /// With <paramref name="keepOwnEpoch"/> a channel that already has a position of that epoch keeps it: it was live
    /// already, and notifications it has not handled yet may lie before the head.
    /// </summary>
    public void Resumed(string database, IEnumerable<string> channels, string position, bool keepOwnEpoch = false)
    {
        lock (_gate)
        {
            foreach (var channel in channels)
            {
                var cursor = CursorOf(database, channel);
                cursor.Durable = true;
                var keep = keepOwnEpoch && cursor.Position is { } own && StreamPositions.SameEpoch(own, position);
                if (!keep && StreamPositions.Supersedes(position, cursor.Position))
                {
                    cursor.Position = position;
                }
            }

            AdvanceLatest(database, position);
        }
    }

    /// <summary>The position a durable channel resumes from, or null when <paramref name="channel"/> resubscribes plainly.</summary>
    public bool TryGetResumePosition(string database, string channel, out string? position)
    {
        lock (_gate)
        {
            if (_cursors.TryGetValue((database, channel), out var cursor) && cursor.Durable)
            {
                position = cursor.Position;
                return true;
            }

            position = null;
            return false;
        }
    }

    /// <summary>The last position delivered on <paramref name="channel"/>, or on any channel of the database when null.</summary>
    public string? PositionOf(string database, string? channel)
    {
        lock (_gate)
        {
            if (channel is null)
            {
                return _latest.GetValueOrDefault(database);
            }

            return _cursors.TryGetValue((database, channel), out var cursor) ? cursor.Position : null;
        }
    }

    /// <summary>After an unsubscribe: the channel (every channel of the database when null) is no longer tracked.</summary>
    public void Forget(string database, string? channel)
    {
        lock (_gate)
        {
            foreach (var key in _cursors.Keys.Where(k => k.Database == database && (channel is null || k.Channel == channel)).ToArray())
            {
                _cursors.Remove(key);
            }

            if (!_cursors.Keys.Any(k => k.Database == database))
            {
                _latest.Remove(database);
            }
        }
    }

    private Cursor CursorOf(string database, string channel)
    {
        if (!_cursors.TryGetValue((database, channel), out var cursor))
        {
            cursor = new Cursor();
            _cursors[(database, channel)] = cursor;
        }

        return cursor;
    }

    private void AdvanceLatest(string database, string position)
    {
        if (StreamPositions.Supersedes(position, _latest.GetValueOrDefault(database)))
        {
            _latest[database] = position;
        }
    }

    private sealed class Cursor
    {
        public bool Durable { get; set; }

        public string? Position { get; set; }
    }
}
