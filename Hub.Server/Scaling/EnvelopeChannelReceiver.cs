using System.Threading.Channels;
using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hub.Server.Scaling;

/// <summary>
/// Every instance's side of the envelope channel: receives each database's envelopes in the order they were
/// published and fans them out to this instance's connections on the broadcast fast path (<see cref="LocalBroadcast"/>),
/// once each, in sequence order; and sends this instance's subscribers a resync for whatever it may have missed.
/// </summary>
/// <remarks>
/// <para>
/// What can be missed, and how it is seen: a sequence number skipped (an envelope or a heartbeat that carries a number
/// this instance has not received); the channel's Redis link going down and coming back; and the leader falling
/// silent for <see cref="ScaleOutOptions.LeaderTimeout"/> (it publishes a heartbeat every
/// <see cref="ScaleOutOptions.LeaderHeartbeatInterval"/>) while this instance has subscribers of the database. Each
/// sends one resync (reason <see cref="ResyncReasons.BackplaneReconnected"/>) to this instance's subscribers of that
/// database, whose window starts at the receive time of the last notification this instance delivered: a notification
/// it missed was published after that one, so the leader received it later. A gap's or a reconnect's resync goes out
/// just before the next envelope (its window ends then, after everything missed); a silence's at once, and again
/// every timeout while the silence lasts.
/// </para>
/// <para>
/// Connections that resumed an outbox database's stream with <c>SubscribeFrom</c> get no such resync: the
/// <see cref="IDeliveryGapRecovery"/> holds their live messages before anything after the gap is fanned out and replays
/// their streams from PostgreSQL from where each one stands (a silence's only once, when it begins: nothing is lost
/// while no leader publishes, and what a leader published meanwhile shows as a gap). For that it is told every
/// notification with a position this receiver fans out.
/// </para>
/// <para>
/// Envelopes from an epoch older than one already seen come from a leader that was replaced and are dropped; Redis's
/// publish script refuses them already, this is the second fence. One lock orders messages, the silence check and the
/// link's events; the fan-out under it never waits (a busy connection queues the frame).
/// </para>
/// </remarks>
public sealed class EnvelopeChannelReceiver(
    EnvelopeChannelConnection channel,
    LocalBroadcast broadcast,
    IDeliveryGapRecovery recovery,
    IOptions<ScaleOutOptions> options,
    TimeProvider time,
    ILogger<EnvelopeChannelReceiver> logger) : BackgroundService
{
    // How long a cursor with neither news nor subscribers is kept before it is forgotten.
    private const int ForgetAfterTimeouts = 20;

    // How soon a subscription the link was not ready for is tried again while the instance starts.
    private static readonly TimeSpan StartupRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChannelCursor> _cursors = new(StringComparer.Ordinal);
    private readonly TimeSpan _silence = options.Value.LeaderTimeout;
    private readonly TimeSpan _tick = options.Value.LeaderHeartbeatInterval;

    // Guarded by _gate: since when the link has been down (null while up), and, after it came back, the window start
    // owed to databases first heard of soon after (they were not heard during the outage either).
    private DateTime? _lostSince;
    private DateTime? _newCursorsOwe;
    private long _newCursorsOweUntil;
    private ChannelMessageQueue? _queue;

    /// <summary>Connects and subscribes before the instance serves anyone, so that no subscriber precedes the subscription.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Until the subscription is up, everything published is missed.
            _lostSince = Now();
        }

        channel.Lost += OnLost;
        channel.Restored += OnRestored;
        await channel.ConnectAsync().ConfigureAwait(false);

        // The subscription link can come up a moment after the connection: an instance that served subscribers before
        // it would miss what is published meanwhile, so it waits for the link while Redis answers, within a bound.
        var started = time.GetTimestamp();
        while (channel.IsConnected)
        {
            try
            {
                var queue = await SubscribeAsync().ConfigureAwait(false);
                lock (_gate)
                {
                    _queue = queue;
                    _lostSince = null;
                }

                break;
            }
            catch (RedisException ex) when (time.GetElapsedTime(started) >= _silence)
            {
                ScaleOutLog.ChannelLost(logger, "subscribe", "SubscribeFailed", ex);
                break;
            }
            catch (RedisException)
            {
                await Task.Delay(StartupRetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        channel.Lost -= OnLost;
        channel.Restored -= OnRestored;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var silence = WatchSilenceAsync(stoppingToken);
        try
        {
            while (_queue is null)
            {
                // Redis was down at startup: subscribe once it is back (it then restores the subscription by itself).
                await Task.Delay(_tick, time, stoppingToken).ConfigureAwait(false);
                if (!channel.IsConnected)
                {
                    continue;
                }

                try
                {
                    var queue = await SubscribeAsync().ConfigureAwait(false);
                    lock (_gate)
                    {
                        _queue = queue;
                        RestoreLocked();
                    }
                }
                catch (RedisException)
                {
                    // Tried again on the next tick.
                }
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var message = await _queue.ReadAsync(stoppingToken).ConfigureAwait(false);
                Handle(message.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ChannelClosedException)
        {
            // Unsubscribed while stopping.
        }
        finally
        {
            await silence.ConfigureAwait(false);
        }
    }

    private void Handle(RedisValue value)
    {
        if (ChannelMessageCodec.Decode(((ReadOnlyMemory<byte>)value).Span, out var error) is not { } message)
        {
            ScaleOutLog.ChannelMessageMalformed(logger, error ?? "?");
            return;
        }

        lock (_gate)
        {
            Receive(message);
        }
    }

    private void Receive(ChannelMessage message)
    {
        var now = Now();
        var timestamp = time.GetTimestamp();
        if (!_cursors.TryGetValue(message.Database, out var cursor))
        {
            cursor = new ChannelCursor(timestamp)
            {
                DeliveredAt = message.LastNotificationAt ?? (message.Envelope as NotificationEnvelope)?.ReceivedAt ?? now,
            };
            if (_newCursorsOwe is { } owed && timestamp < _newCursorsOweUntil)
            {
                cursor.Owe(owed);
            }

            _cursors[message.Database] = cursor;
        }

        cursor.HeardAt = timestamp;
        if (message.Epoch < cursor.Epoch)
        {
            ScaleOutLog.StaleMessageDropped(logger, message.Database, message.Sequence, message.Epoch, cursor.Epoch, message.Leader);
            return;
        }

        var before = message.IsHeartbeat ? message.Sequence : message.Sequence - 1;
        if (cursor.Rebase || cursor.Incarnation != message.Incarnation)
        {
            if (!cursor.Rebase && cursor.Incarnation is not null)
            {
                // The numbers started over (Redis lost its keys): what was published meanwhile is not countable.
                cursor.Owe(cursor.DeliveredAt ?? now);
            }

            cursor.Rebase = false;
            cursor.Incarnation = message.Incarnation;
        }
        else if (before > cursor.Sequence)
        {
            ScaleOutLog.SequenceGap(logger, message.Database, cursor.Sequence, message.Sequence, message.Leader);
            cursor.Owe(cursor.DeliveredAt ?? now);
        }
        else if (before < cursor.Sequence)
        {
            // One incarnation numbers every message once, in publish order: this one was delivered already.
            ScaleOutLog.DuplicateDropped(logger, message.Database, message.Sequence);
            return;
        }

        cursor.Sequence = before;
        cursor.Epoch = message.Epoch;
        cursor.Leader = message.Leader;
        if (cursor.OwedSince is { } since)
        {
            cursor.OwedSince = null;
            SendResync(message.Database, since, now, "gap or reconnect", recover: true);
        }

        if (message.Envelope is { } envelope)
        {
            broadcast.Send(envelope);
            cursor.Sequence = message.Sequence;
            if (envelope is NotificationEnvelope notification)
            {
                cursor.DeliveredAt = notification.ReceivedAt;
                if (notification.Position is not null)
                {
                    // After the fan-out: what the recovery counts has reached the connections' writers already.
                    recovery.Fanned(notification);
                }
            }
        }
    }

    private async Task WatchSilenceAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    CheckSilenceLocked();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// The receive time of the last notification of <paramref name="database"/> delivered through the channel, if a
    /// leader of it other than <paramref name="self"/> was heard (an envelope or a heartbeat) within twice the leader
    /// timeout: a handover is under way, not a database that went quiet long ago, nor this instance's own outage
    /// (its listener covers that with its own resync).
    /// </summary>
    public DateTime? RecentlyDelivered(string database, string self)
    {
        lock (_gate)
        {
            return _cursors.TryGetValue(database, out var cursor)
                && cursor.Leader != self
                && time.GetElapsedTime(cursor.HeardAt) < 2 * _silence
                ? cursor.DeliveredAt
                : null;
        }
    }

    private void CheckSilenceLocked()
    {
        var now = Now();
        List<string>? forgotten = null;
        foreach (var (database, cursor) in _cursors)
        {
            var silent = time.GetElapsedTime(cursor.HeardAt);
            if (silent < _silence)
            {
                continue;
            }

            if (!broadcast.HasMembers(GroupNames.ForDatabase(database)))
            {
                if (silent >= ForgetAfterTimeouts * _silence)
                {
                    (forgotten ??= []).Add(database);
                }

                continue;
            }

            if (cursor.SilenceResyncAt == 0 || time.GetElapsedTime(cursor.SilenceResyncAt) >= _silence)
            {
                // The first resync of this silence, or a repeat while it lasts.
                var begins = cursor.SilenceResyncAt < cursor.HeardAt;
                cursor.SilenceResyncAt = time.GetTimestamp();
                cursor.OwedSince = null;
                SendResync(database, cursor.DeliveredAt ?? now, now, "leader silent", recover: begins);
            }
        }

        foreach (var database in forgotten ?? [])
        {
            _cursors.Remove(database);
        }
    }

    private void OnLost()
    {
        lock (_gate)
        {
            _lostSince ??= Now();
        }
    }

    private void OnRestored()
    {
        lock (_gate)
        {
            // Before the first subscription there is nothing to restore: the subscription, once made, restores.
            if (_queue is not null)
            {
                RestoreLocked();
            }
        }
    }

    private void RestoreLocked()
    {
        var since = _lostSince ?? Now();
        _lostSince = null;
        foreach (var cursor in _cursors.Values)
        {
            cursor.Owe(cursor.DeliveredAt ?? since);
            cursor.Rebase = true;
        }

        // A database first heard of soon after the outage was not heard during it either.
        _newCursorsOwe = since;
        _newCursorsOweUntil = time.GetTimestamp() + (long)(_silence.TotalSeconds * time.TimestampFrequency);
    }

    private Task<ChannelMessageQueue> SubscribeAsync()
        => channel.Multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel.Names.Channel));

    /// <summary>
    /// Sends the resync to this instance's subscribers of <paramref name="database"/> but those whose gap the recovery
    /// closes; <paramref name="recover"/> has it hold and replay them now (else they were, for this gap).
    /// </summary>
    private void SendResync(string database, DateTime since, DateTime until, string cause, bool recover)
    {
        var recovered = recover ? recovery.Recover(database, since) : recovery.Covered(database);
        var told = broadcast.Send(new ResyncEnvelope(database, ResyncReasons.BackplaneReconnected, since, until), recovered);
        ScaleOutLog.ChannelResync(logger, database, cause, told, since, until);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
