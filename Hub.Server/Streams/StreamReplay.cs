using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Delivery;

namespace Hub.Server.Streams;

/// <summary>
/// Writes one connection the history of some channels of an outbox database straight from PostgreSQL while its live
/// messages are held, and says when the hold can end: the part <c>SubscribeFrom</c> (<see cref="StreamReplayService"/>)
/// and the recovery of a gap in live delivery (<see cref="StreamGapRecovery"/>) share.
/// </summary>
/// <remarks>
/// Every row after the replay's position either is read by the replay or reaches the connection's groups after the
/// replay began, because the reader and the replay both read below the snapshot's xmin, which only moves forward. So
/// the held notifications of the replayed channels at or before the position are repeats and are dropped
/// (<see cref="HeldStreams.IsDropped"/>), the rest go out: no gap, no duplicate. The position is the last row the replay itself
/// read, never a head read later, which could cover rows neither side delivers. Rows at or before it that the reader
/// had read but not yet sent when the replay ended would reach the connection after the release, so the hold lasts
/// until the reader has sent past the position (<see cref="WaitForReaderAsync"/>).
/// A hold that passes half the connection's bound sheds the live notifications of the replayed channels
/// (<see cref="DeliveryHold.ShedWhenFull"/>) rather than disconnect a client that reads: each of them was fanned out
/// after the reader had read its row, so a statement begun after the shedding reads it too, and the replay goes on
/// until a statement begun after the last shedding comes back short.
/// </remarks>
public sealed class StreamReplay(OutboxDataSources dataSources, OutboxReaders readers, TimeProvider time, ILogger<StreamReplay> logger)
{
    private static readonly TimeSpan MaxReaderWait = TimeSpan.FromSeconds(5);

    // How many rows one statement of a replay reads at most. Rows stream in as they are sent, so this bounds how long
    // a statement (and its snapshot) stays open, not memory; each statement costs a round trip and a plan, which made
    // the reader's batch size the catch-up's limit.
    private const int StatementRows = 10_000;

    /// <summary>
    /// Writes, through <paramref name="send"/>, the rows of <paramref name="channels"/> after <paramref name="from"/>
    /// (nothing when null: the subscription starts live at the head) except those <paramref name="skip"/> names, paced
    /// by the connection's bound. When the history after <paramref name="from"/> is gone, sends a
    /// <c>history-unavailable</c> resync instead and continues from the head.
    /// </summary>
    internal async Task<ReplayOutcome> ReplayAsync(
        string connectionId,
        Func<Envelope, CancellationToken, Task> send,
        DeliveryHold hold,
        DatabaseDefinition definition,
        IReadOnlyList<string> channels,
        StreamPosition? from,
        Func<OutboxRow, bool>? skip,
        CancellationToken cancellationToken)
    {
        var outbox = definition.Outbox ?? throw new ArgumentException("The database is not an outbox database.", nameof(definition));
        var sql = new OutboxSql(outbox.Schema);
        await using var connection = await dataSources.ReplayOf(definition).OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var head = await OutboxQueries.ReadHeadAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        if (from is not { } since)
        {
            // Starting live: everything after the head reaches the groups after the join.
            return new ReplayOutcome(head.Position, Recovered: true);
        }

        if (!head.CanResumeFrom(since, out var why))
        {
            return await UnavailableAsync(connectionId, send, definition, since, why, head, cancellationToken).ConfigureAwait(false);
        }

        var channelArray = channels.ToArray();
        var limit = Math.Max(outbox.BatchSize, StatementRows);
        var cursor = since;
        var count = 0;
        while (true)
        {
            var receivedAt = time.GetUtcNow().UtcDateTime;
            var read = 0;
            var shedBefore = hold.Sheds;
            string? gone = null;
            // A statement's rows go to the socket as a run: several rows per write instead of one write per row.
            var run = new DeferredFlushes();
            try
            {
                await foreach (var result in OutboxQueries.StreamBatchAsync(connection, sql, cursor, limit, channelArray, cancellationToken).ConfigureAwait(false))
                {
                    if (result.Epoch != since.Epoch || result.Purged.IsAfter(cursor))
                    {
                        // Truncated or purged under the replay: what it has not sent yet is gone.
                        gone = result.Epoch != since.Epoch ? "the outbox was truncated or reinstalled during the replay" : "retention deleted rows during the replay";
                        break;
                    }

                    if (result.Row is not { } row)
                    {
                        continue;
                    }

                    read++;
                    cursor = row.Position;
                    if (skip?.Invoke(row) == true)
                    {
                        continue;
                    }

                    // The connection's bound applies: the replay goes as fast as the client reads, and a client that
                    // stops reading while live messages pile up behind the hold is disconnected like any slow
                    // consumer. What the run holds goes out before the replay waits for room.
                    if (!hold.HasRoom)
                    {
                        run.Release();
                    }

                    await hold.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                    var notification = new NotificationEnvelope(definition.Name, row.Channel, row.Payload, row.ProcessId, receivedAt, row.Position.ToString());
                    Task sending;
                    using (run.Enter())
                    {
                        sending = send(notification, cancellationToken);
                    }

                    await sending.ConfigureAwait(false);
                    count++;
                }
            }
            finally
            {
                run.Release();
            }

            if (gone is not null)
            {
                var now = await OutboxQueries.ReadHeadAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                return await UnavailableAsync(connectionId, send, definition, since, gone, now, cancellationToken).ConfigureAwait(false);
            }

            // Live notifications the hold shed while this statement ran may be newer than what it read: one more
            // statement, begun after them, reads past them. One begun after the last shedding ends the replay.
            if (read < limit && hold.Sheds == shedBefore)
            {
                StreamsLog.Replayed(logger, connectionId, definition.Name, since, count, cursor);
                return new ReplayOutcome(cursor, Recovered: true);
            }
        }
    }

    /// <summary>
    /// Waits until the database's reader has handed every row up to <paramref name="upTo"/> to the fan-out: this
    /// instance's own reader when it leads, else the cursor the leader stored. Both are signals, not polls: the local
    /// reader completes a waiter when it has sent a batch, and storing the cursor NOTIFYs the instances that wait for
    /// it. Gives up after <see cref="MaxReaderWait"/>, so a reader that is down delays nobody for long; clients drop
    /// what they already have, by position, whatever the server does.
    /// </summary>
    internal async Task WaitForReaderAsync(DatabaseDefinition definition, StreamPosition upTo, CancellationToken cancellationToken)
    {
        var sql = new OutboxSql(definition.Outbox!.Schema);
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(MaxReaderWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // The local reader answers false when this instance does not lead, or stops leading while waiting.
            if (await readers.WaitForSentAsync(definition.Name, upTo, linked.Token).ConfigureAwait(false))
            {
                return;
            }

            var remaining = MaxReaderWait - time.GetElapsedTime(started);
            if (await StoredCursorWaiter.WaitForAsync(dataSources.ReplayOf(definition), sql, upTo, remaining, time, linked.Token).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Timed out: the caller releases.
        }

        StreamsLog.ReaderWaitTimedOut(logger, definition.Name, upTo, MaxReaderWait);
    }

    private async Task<ReplayOutcome> UnavailableAsync(
        string connectionId, Func<Envelope, CancellationToken, Task> send, DatabaseDefinition definition, StreamPosition since, string why, OutboxHead head, CancellationToken cancellationToken)
    {
        StreamsLog.HistoryUnavailable(logger, connectionId, definition.Name, since, why, head.Position);
        // The hub cannot say since when the client missed notifications: the resync's window is open at the start.
        var resync = new ResyncEnvelope(
            definition.Name, ResyncReasons.HistoryUnavailable, DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), time.GetUtcNow().UtcDateTime);
        await send(resync, cancellationToken).ConfigureAwait(false);
        return new ReplayOutcome(head.Position, Recovered: false);
    }
}
