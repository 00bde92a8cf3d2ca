using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Hub.Server.Subscriptions;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Closes a gap in the live notifications of an outbox database for the connections of this instance that resumed its
/// stream with <c>SubscribeFrom</c>: each one's live messages are held from before anything after the gap reaches it,
/// its streams are replayed from PostgreSQL from where each one stands, and the held repeats of what the replay wrote
/// are dropped. They get no resync.
/// </summary>
/// <remarks>
/// <para>
/// Where a connection stands on a channel is its <see cref="DeliveredMark"/> (the last row its last replay wrote, and
/// the fan-out count then) resolved against what this instance fanned out since (<see cref="FannedPositions"/>): taken
/// when its hold begins, under the lock of whoever found the gap, so nothing after the gap is counted.
/// </para>
/// <para>
/// A connection whose hold is on already (a <c>SubscribeFrom</c>, or a recovery) owes the database a replay, which its
/// holder runs before the hold ends: a <c>SubscribeFrom</c> hands its hold over instead of releasing it. A replay that
/// fails is tried once more on a fresh connection (a pooled one a PostgreSQL restart dropped fails on first use); when
/// that fails too, or when the connection also has channels of the database subscribed without a position, it gets
/// the <c>backplane-reconnected</c> resync it would have had.
/// </para>
/// </remarks>
public sealed class StreamGapRecovery(StreamConnections connections, IServiceProvider services, TimeProvider time, ILogger<StreamGapRecovery> logger)
    : IDeliveryGapRecovery
{
    /// <summary>What this instance fanned out live of each outbox channel.</summary>
    internal FannedPositions Fanned { get; } = new();

    /// <inheritdoc />
    void IDeliveryGapRecovery.Fanned(NotificationEnvelope notification) => Fanned.Add(notification);

    /// <inheritdoc />
    public IReadOnlySet<string> Recover(string database, DateTime since)
    {
        HashSet<string>? covered = null;
        foreach (var connection in connections.Current)
        {
            if (!connection.Owe(database, since, Fanned, out var started))
            {
                continue;
            }

            (covered ??= new HashSet<string>(StringComparer.Ordinal)).Add(connection.ConnectionId);
            if (started is not null)
            {
                _ = RecoverAsync(connection, started);
            }
        }

        if (covered is null)
        {
            return EmptySet;
        }

        StreamsLog.GapHeld(logger, database, covered.Count, since);
        return covered;
    }

    /// <inheritdoc />
    public IReadOnlySet<string> Covered(string database)
    {
        var covered = connections.Current.Where(c => c.Follows(database)).Select(static c => c.ConnectionId).ToHashSet(StringComparer.Ordinal);
        return covered.Count == 0 ? EmptySet : covered;
    }

    /// <summary>
    /// Ends the hold of a <c>SubscribeFrom</c>: released, or, when a gap came meanwhile, handed over to a recovery
    /// that replays what is owed first.
    /// </summary>
    internal void EndResume(StreamConnection connection, HeldStreams held)
    {
        connection.ResumeEnded();
        if (!connection.TryRelease(held, force: false, out var owed))
        {
            _ = RecoverAsync(connection, held, owed);
        }
    }

    private static IReadOnlySet<string> EmptySet { get; } = new HashSet<string>();

    private async Task RecoverAsync(StreamConnection connection, HeldStreams held, KeyValuePair<string, DateTime>[]? owed = null)
    {
        // Off the caller's thread: it found the gap under its own lock and must not wait for PostgreSQL.
        await Task.Yield();
        var token = connection.Context.ConnectionAborted;
        var sender = services.GetRequiredService<IEnvelopeSender>();
        var replay = services.GetRequiredService<StreamReplay>();
        Task SendAsync(Envelope envelope, CancellationToken cancellationToken) => sender.SendToConnectionAsync(connection.ConnectionId, envelope, cancellationToken);
        try
        {
            owed ??= [];
            while (owed.Length > 0 || !connection.TryRelease(held, force: false, out owed))
            {
                foreach (var (database, since) in owed)
                {
                    await RecoverDatabaseAsync(connection, held, replay, SendAsync, database, since, token).ConfigureAwait(false);
                }

                owed = [];
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The connection closed: nothing to deliver to.
            connection.TryRelease(held, force: true, out _);
        }
#pragma warning disable CA1031 // One connection's failure must not keep it held for good.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            StreamsLog.GapRecoveryFailed(logger, connection.ConnectionId, "*", ex);
            connection.TryRelease(held, force: true, out _);
        }
    }

    private async Task RecoverDatabaseAsync(
        StreamConnection connection,
        HeldStreams held,
        StreamReplay replay,
        Func<Envelope, CancellationToken, Task> send,
        string database,
        DateTime since,
        CancellationToken cancellationToken)
    {
        var subscribed = await SubscribedChannelsAsync(connection, database, cancellationToken).ConfigureAwait(false);
        connection.Forget(database, subscribed);
        var resync = false;
        if (connection.ReplayFrom(held, database, subscribed) is { From.Count: > 0 } streams)
        {
            var (definition, from) = streams;
            resync = from.Count < subscribed.Length;
            try
            {
                // One replay per epoch the channels stand in (one, but for a channel resumed across a truncation).
                foreach (var channels in from.GroupBy(static c => c.Value.Epoch))
                {
                    var names = channels.Select(static c => c.Key).ToArray();
                    var start = channels.Select(static c => c.Value).Aggregate(static (a, b) => b.IsAfter(a) ? a : b);
                    bool Skip(OutboxRow row) => from.TryGetValue(row.Channel, out var last) && last.Epoch == row.Position.Epoch && !row.Position.IsAfter(last);
                    connection.Replaying(held, database, names);
                    ReplayOutcome outcome;
                    using (held.Hold.Pass())
                    {
                        try
                        {
                            outcome = await replay.ReplayAsync(connection.ConnectionId, send, held.Hold, definition, names, start, Skip, cancellationToken).ConfigureAwait(false);
                        }
                        catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
                        {
                            // A pooled connection PostgreSQL dropped since (a restart) fails on first use and is thrown
                            // away: once more on a fresh one. Rows the first attempt wrote are skipped by the client rule.
                            outcome = await replay.ReplayAsync(connection.ConnectionId, send, held.Hold, definition, names, start, Skip, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    await replay.WaitForReaderAsync(definition, outcome.Position, cancellationToken).ConfigureAwait(false);
                    connection.Wrote(held, definition, names, outcome.Position);
                    StreamsLog.GapRecovered(logger, connection.ConnectionId, database, start, outcome.Position);
                }
            }
#pragma warning disable CA1031 // Whatever failed, the client must hear of the gap: releasing the hold without a replay or a resync would hide it.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                StreamsLog.GapRecoveryFailed(logger, connection.ConnectionId, database, ex);
                resync = true;
            }
        }
        else
        {
            // Nothing of the database resumed on this connection (its SubscribeFrom failed): whatever it has of it is plain.
            resync = subscribed.Length > 0;
        }

        if (resync)
        {
            StreamsLog.GapResync(logger, connection.ConnectionId, database);
            using (held.Hold.Pass())
            {
                await send(new ResyncEnvelope(database, ResyncReasons.BackplaneReconnected, since, time.GetUtcNow().UtcDateTime), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<string[]> SubscribedChannelsAsync(StreamConnection connection, string database, CancellationToken cancellationToken)
    {
        var subscriptions = ConnectionSubscriptions.For(connection.Context);
        await subscriptions.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. subscriptions.ChannelsOf(database)];
        }
        finally
        {
            subscriptions.Gate.Release();
        }
    }
}
