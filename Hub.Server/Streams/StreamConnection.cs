using Hub.Server.Databases;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Streams;

/// <summary>
/// What durable streams keep of one connection that resumed a stream: where each channel it resumed stands
/// (<see cref="DeliveredMark"/>), and the one hold of its live messages at a time (<see cref="HeldStreams"/>), taken
/// by a <c>SubscribeFrom</c> or by the recovery of a gap, and handed from the one to the other.
/// </summary>
/// <remarks>
/// Taking a hold, owing a database a replay and ending the hold happen under one lock, so a gap found while a hold is
/// on is replayed before that hold ends, and one found after it ends takes a new hold before anything after the gap
/// reaches the connection. The lock is taken before the connection writer's, never the other way round.
/// </remarks>
internal sealed class StreamConnection(HubCallerContext context, IDeliveryHoldFeature holds, bool live)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DatabaseDefinition Definition, Dictionary<string, DeliveredMark> Channels)> _followed = new(StringComparer.OrdinalIgnoreCase);
    private HeldStreams? _held;
    private string? _resuming;
    private TaskCompletionSource? _idle;

    /// <summary>The connection.</summary>
    public HubCallerContext Context { get; } = context;

    /// <summary>The connection's id.</summary>
    public string ConnectionId => Context.ConnectionId;

    /// <summary>Whether its live notifications come from this instance's fan-out of the envelope channel, where gaps are found.</summary>
    public bool Live { get; } = live;

    /// <summary>
    /// Takes the connection's hold for a <c>SubscribeFrom</c> of <paramref name="database"/>, once no other hold is on
    /// (a recovery's ends by itself).
    /// </summary>
    public async Task<HeldStreams> HoldForResumeAsync(string database, FannedPositions fanned, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task idle;
            lock (_gate)
            {
                if (_held is null)
                {
                    _resuming = database;
                    return _held = BeginLocked(fanned);
                }

                idle = (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await idle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A gap in <paramref name="database"/> since <paramref name="since"/>: false when no stream of the connection is
    /// of it; else the hold on now owes it a replay, and <paramref name="started"/> is that hold when the gap took it
    /// (none was on: the caller runs the recovery), null when its owner replays the database before it ends.
    /// </summary>
    public bool Owe(string database, DateTime since, FannedPositions fanned, out HeldStreams? started)
    {
        started = null;
        lock (_gate)
        {
            if (!FollowsLocked(database))
            {
                return false;
            }

            if (_held is null)
            {
                started = _held = BeginLocked(fanned);
            }

            _held.Owe(database, since);
            return true;
        }
    }

    /// <summary>Whether a gap in <paramref name="database"/> is this connection's to recover (<see cref="Owe"/>).</summary>
    public bool Follows(string database)
    {
        lock (_gate)
        {
            return FollowsLocked(database);
        }
    }

    /// <summary>The resumed channels of <paramref name="database"/> among <paramref name="subscribed"/>, each with where a replay under <paramref name="held"/> starts.</summary>
    public (DatabaseDefinition Definition, Dictionary<string, StreamPosition> From)? ReplayFrom(HeldStreams held, string database, IReadOnlyCollection<string> subscribed)
    {
        lock (_gate)
        {
            if (!_followed.TryGetValue(database, out var followed))
            {
                return null;
            }

            var from = new Dictionary<string, StreamPosition>(StringComparer.OrdinalIgnoreCase);
            foreach (var channel in subscribed)
            {
                if (followed.Channels.ContainsKey(channel) && held.From(database, channel) is { } position)
                {
                    from[channel] = position;
                }
            }

            return (followed.Definition, from);
        }
    }

    /// <summary>Records that a replay under <paramref name="held"/> left <paramref name="channels"/> of <paramref name="definition"/> at <paramref name="upTo"/>, and follows them from now on.</summary>
    public void Wrote(HeldStreams held, DatabaseDefinition definition, IEnumerable<string> channels, StreamPosition upTo)
    {
        lock (_gate)
        {
            if (!_followed.TryGetValue(definition.Name, out var followed))
            {
                followed = (definition, new Dictionary<string, DeliveredMark>(StringComparer.OrdinalIgnoreCase));
                _followed[definition.Name] = followed;
            }

            foreach (var channel in channels)
            {
                held.Wrote(definition.Name, channel, upTo);

                // Until the hold ends, its own mark is not set: the position it started from holds, nothing more.
                followed.Channels.TryAdd(channel, new DeliveredMark(upTo, long.MaxValue));
            }
        }
    }

    /// <summary>Records that a replay under <paramref name="held"/> is about to write <paramref name="channels"/> of <paramref name="database"/>.</summary>
    public void Replaying(HeldStreams held, string database, IEnumerable<string> channels)
    {
        lock (_gate)
        {
            held.Replaying(database, channels);
        }
    }

    /// <summary>Records that the replay of <paramref name="channels"/> of <paramref name="database"/> under <paramref name="held"/> failed: what it holds of them is dropped.</summary>
    public void Abandon(HeldStreams held, string database, IEnumerable<string> channels)
    {
        lock (_gate)
        {
            held.Abandon(database, channels);
        }
    }

    /// <summary>The <c>SubscribeFrom</c> that took the hold is over (the hold may go on, handed to a recovery).</summary>
    public void ResumeEnded()
    {
        lock (_gate)
        {
            _resuming = null;
        }
    }

    /// <summary>
    /// Ends <paramref name="held"/>, dropping the held repeats of what its replays wrote, unless a database is owed a
    /// replay: then false with those databases (and since when each may have missed notifications), and the hold
    /// stays on. <paramref name="force"/> ends it whatever is owed (the connection is closing).
    /// </summary>
    public bool TryRelease(HeldStreams held, bool force, out KeyValuePair<string, DateTime>[] owed)
    {
        lock (_gate)
        {
            owed = held.TakeOwed();
            if (owed.Length > 0 && !force)
            {
                return false;
            }

            foreach (var (database, written) in held.Written)
            {
                if (_followed.TryGetValue(database, out var followed))
                {
                    foreach (var (channel, upTo) in written)
                    {
                        followed.Channels[channel] = new DeliveredMark(upTo, held.Stamp);
                    }
                }
            }

            held.Hold.Release(held.IsDropped);
            _held = null;
            _idle?.TrySetResult();
            _idle = null;
            return true;
        }
    }

    /// <summary>Stops following the channels of <paramref name="database"/> that are not among <paramref name="subscribed"/> (unsubscribed since).</summary>
    public void Forget(string database, IReadOnlyCollection<string> subscribed)
    {
        lock (_gate)
        {
            if (_followed.TryGetValue(database, out var followed))
            {
                foreach (var channel in followed.Channels.Keys.Where(c => !subscribed.Contains(c, StringComparer.OrdinalIgnoreCase)).ToArray())
                {
                    followed.Channels.Remove(channel);
                }

                if (followed.Channels.Count == 0)
                {
                    _followed.Remove(database);
                }
            }
        }
    }

    private bool FollowsLocked(string database)
        => Live && (_followed.ContainsKey(database) || string.Equals(_resuming, database, StringComparison.OrdinalIgnoreCase));

    private HeldStreams BeginLocked(FannedPositions fanned)
    {
        // Where each channel stands is taken before the hold begins: a notification counted by then is on its way to
        // the socket already, not held.
        var stamp = fanned.Count;
        var start = new Dictionary<string, Dictionary<string, StreamPosition>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (database, followed) in _followed)
        {
            var channels = new Dictionary<string, StreamPosition>(StringComparer.OrdinalIgnoreCase);
            foreach (var (channel, mark) in followed.Channels)
            {
                channels[channel] = fanned.Resolve(database, channel, mark);
            }

            start[database] = channels;
        }

        var held = new HeldStreams(holds.Hold(), stamp, start);
        held.Hold.ShedWhenFull(held.IsReplayed);
        return held;
    }
}
