using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Security;
using Hub.Server.Subscriptions;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Serves <c>SubscribeFrom</c> on the instance the client is connected to: subscribes the connection, then writes
/// it the history after its position straight from PostgreSQL, then lets the live notifications through.
/// </summary>
/// <remarks>
/// The seam: the connection's live messages are held (<see cref="IDeliveryHoldFeature"/>) from before it joins its
/// groups until the replay is written; then the held notifications of the replayed channels at or before the last
/// replayed position are dropped and the rest go out. Every row after that position either is read by the replay or
/// reaches the group after the join, because the reader and the replay both read below the snapshot's xmin, which
/// only moves forward: no gap, no duplicate. The replay position is the last row the replay itself read, never a
/// head read later, which could cover rows neither side delivers. Rows at or before that position the reader had
/// read but not yet sent when the replay ended would reach the connection after the release, so the hold lasts
/// until the reader has sent past the position (<see cref="WaitForReaderAsync"/>).
/// </remarks>
public sealed class StreamReplayService(
    HubCallGuard guard,
    SubscriptionService subscriptions,
    OutboxDataSources dataSources,
    OutboxSchemaInstaller installer,
    OutboxReaders readers,
    TimeProvider time,
    ILogger<StreamReplayService> logger)
{
    private static readonly TimeSpan MaxReaderWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Subscribes the calling connection to <paramref name="channel"/> of the outbox database
    /// <paramref name="database"/> (every allowed channel when null) and sends it everything after
    /// <paramref name="since"/> (nothing when null) before the live notifications.
    /// </summary>
    public async Task<SubscribeFromResult> SubscribeFromAsync(
        HubCallerContext context, IGroupManager groups, IClientProxy caller, string? database, string? channel, string? since)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        var definition = await guard.ResolveAsync(context, database, DatabaseRight.Subscribe).ConfigureAwait(false);
        if (definition.Outbox is not { } outbox)
        {
            throw guard.Refuse(context, Refusals.Reasons.NotAnOutbox, Refusals.NotAnOutbox(definition.Name));
        }

        var channels = guard.ResolveChannels(context, definition, channel);
        StreamPosition? from = null;
        if (since is not null && !StreamPosition.TryParse(since, out from))
        {
            throw guard.Refuse(context, Refusals.Reasons.PositionInvalid, Refusals.PositionInvalid());
        }

        var cancellationToken = context.ConnectionAborted;
        var sql = new OutboxSql(outbox.Schema);
        var heldBefore = ConnectionSubscriptions.For(context).ChannelsOf(definition.Name).ToArray();
        var hold = (context.Features.Get<IDeliveryHoldFeature>()
            ?? throw new InvalidOperationException("The hub's connections have no delivery hold; register AddBoundedDelivery.")).Hold();
        var released = false;
        try
        {
            try
            {
                await installer.EnsureAsync(definition, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw guard.Refuse(context, Refusals.Reasons.DatabaseUnreachable, Refusals.DatabaseUnreachable(definition.Name));
            }

            var subscribed = await subscriptions.SubscribeAsync(context, groups, definition.Name, channel).ConfigureAwait(false);
            Replay replay;
            try
            {
                using (hold.Pass())
                {
                    replay = await ReplayAsync(context, caller, hold, definition, outbox, sql, channels, from, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                await UnsubscribeAddedAsync(context, groups, definition.Name, channels, heldBefore).ConfigureAwait(false);
                throw guard.Refuse(context, Refusals.Reasons.DatabaseUnreachable, Refusals.ReplayFailed(definition.Name));
            }

            var replayed = new HashSet<string>(channels, StringComparer.Ordinal);
            var upTo = replay.Position;
            await WaitForReaderAsync(definition, sql, upTo, cancellationToken).ConfigureAwait(false);
            hold.Release(message => IsReplayed(message, definition.Name, replayed, upTo));
            released = true;
            return new SubscribeFromResult(subscribed, upTo.ToString(), replay.Recovered);
        }
        finally
        {
            if (!released)
            {
                // Nothing was replayed that could repeat a held message: they all go out.
                hold.Release(static _ => false);
            }
        }
    }

    private async Task<Replay> ReplayAsync(
        HubCallerContext context,
        IClientProxy caller,
        DeliveryHold hold,
        DatabaseDefinition definition,
        OutboxOptions outbox,
        OutboxSql sql,
        IReadOnlyList<string> channels,
        StreamPosition? from,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSources.ReplayOf(definition).OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var head = await OutboxQueries.ReadHeadAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        if (from is not { } since)
        {
            // Starting live: everything after the head reaches the groups after the join.
            return new Replay(head.Position, Recovered: true);
        }

        if (!head.CanResumeFrom(since, out var why))
        {
            return await UnavailableAsync(context, caller, definition, since, why, head, cancellationToken).ConfigureAwait(false);
        }

        var channelArray = channels.ToArray();
        var cursor = since;
        var count = 0;
        while (true)
        {
            var batch = await OutboxQueries.ReadBatchAsync(connection, sql, cursor, outbox.BatchSize, channelArray, cancellationToken).ConfigureAwait(false);
            if (batch.Epoch != since.Epoch || batch.Purged.IsAfter(cursor))
            {
                // Truncated or purged under the replay: what it has not sent yet is gone.
                var now = await OutboxQueries.ReadHeadAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                var reason = batch.Epoch != since.Epoch ? "the outbox was truncated or reinstalled during the replay" : "retention deleted rows during the replay";
                return await UnavailableAsync(context, caller, definition, since, reason, now, cancellationToken).ConfigureAwait(false);
            }

            var receivedAt = time.GetUtcNow().UtcDateTime;
            // A batch goes to the socket as a run: several rows per write instead of one write per row.
            var run = new DeferredFlushes();
            try
            {
                foreach (var row in batch.Rows)
                {
                    // The connection's bound applies: the replay goes as fast as the client reads, and a client that
                    // stops reading while live messages pile up behind the hold is disconnected like any slow
                    // consumer. What the run holds goes out before the replay waits for room.
                    if (!hold.HasRoom)
                    {
                        run.Release();
                    }

                    await hold.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                    var notification = new NotificationEnvelope(definition.Name, row.Channel, row.Payload, row.ProcessId, receivedAt, row.Position.ToString());
                    Task send;
                    using (run.Enter())
                    {
                        send = caller.SendAsync(notification.ClientMethod(), notification, cancellationToken);
                    }

                    await send.ConfigureAwait(false);
                }
            }
            finally
            {
                run.Release();
            }

            count += batch.Rows.Count;
            if (batch.Rows.Count > 0)
            {
                cursor = batch.Rows[^1].Position;
            }

            if (batch.Rows.Count < outbox.BatchSize)
            {
                StreamsLog.Replayed(logger, context.ConnectionId, definition.Name, since, count, cursor);
                return new Replay(cursor, Recovered: true);
            }
        }
    }

    /// <summary>
    /// Waits until the database's reader has handed every row up to <paramref name="upTo"/> to the fan-out: this
    /// instance's own reader when it leads (then those rows are in the connection's hold already), else the cursor
    /// the leader stored. Both are signals, not polls: the local reader completes a waiter when it has sent a batch,
    /// and storing the cursor NOTIFYs the instances that wait for it. Gives up after <see cref="MaxReaderWait"/>, so
    /// a reader that is down delays nobody for long; clients drop what they already have, by position, whatever the
    /// server does.
    /// </summary>
    private async Task WaitForReaderAsync(DatabaseDefinition definition, OutboxSql sql, StreamPosition upTo, CancellationToken cancellationToken)
    {
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
            // Timed out: released below.
        }

        StreamsLog.ReaderWaitTimedOut(logger, definition.Name, upTo, MaxReaderWait);
    }

    private async Task<Replay> UnavailableAsync(
        HubCallerContext context, IClientProxy caller, DatabaseDefinition definition, StreamPosition since, string why, OutboxHead head, CancellationToken cancellationToken)
    {
        StreamsLog.HistoryUnavailable(logger, context.ConnectionId, definition.Name, since, why, head.Position);
        // The hub cannot say since when the client missed notifications: the resync's window is open at the start.
        var resync = new ResyncEnvelope(
            definition.Name, ResyncReasons.HistoryUnavailable, DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), time.GetUtcNow().UtcDateTime);
        await caller.SendAsync(resync.ClientMethod(), resync, cancellationToken).ConfigureAwait(false);
        return new Replay(head.Position, Recovered: false);
    }

    private async Task UnsubscribeAddedAsync(HubCallerContext context, IGroupManager groups, string database, IReadOnlyList<string> channels, string[] heldBefore)
    {
        foreach (var added in channels.Except(heldBefore, StringComparer.Ordinal))
        {
            await subscriptions.UnsubscribeAsync(context, groups, database, added).ConfigureAwait(false);
        }
    }

    private static bool IsReplayed(ReadOnlyMemory<byte> message, string database, HashSet<string> channels, StreamPosition upTo)
        => NotificationFrame.TryRead(message, out var frame)
            && frame.Database == database
            && channels.Contains(frame.Channel)
            && StreamPosition.TryParse(frame.Position, out var position)
            && position.Value.Epoch == upTo.Epoch
            && !position.Value.IsAfter(upTo);

    private readonly record struct Replay(StreamPosition Position, bool Recovered);
}
