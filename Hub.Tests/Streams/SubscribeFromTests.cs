using System.Globalization;
using Hub.Server.Contracts;
using Hub.Server.Streams;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hub.Tests.Streams;

public sealed class SubscribeFromTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Without_a_position_it_starts_live_at_the_head()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var first = await outbox.SubscribedClientAsync();
        await outbox.PublishAsync(HubFixture.Events, "before");
        var before = await first.NextNotificationAsync();
        var client = await outbox.ConnectAsync();

        var reply = await client.SubscribeFromAsync(outbox.Database, null, null);
        await outbox.PublishAsync(HubFixture.Events, "after");

        Assert.Equal([HubFixture.Events, HubFixture.Other], reply.Channels);
        Assert.True(reply.Recovered);
        Assert.Equal(before.Position, reply.Position);
        Assert.Equal("after", (await client.NextNotificationAsync()).Payload);
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Resuming_from_a_position_sends_what_came_after_it_then_live(bool messagePack)
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var live = await outbox.SubscribedClientAsync();
        await outbox.PublishManyAsync(HubFixture.Events, 0, 10);
        var seen = await live.NotificationsAsync(10);
        var client = await outbox.ConnectAsync(messagePack);

        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, seen[3].Position);
        await outbox.PublishManyAsync(HubFixture.Events, 10, 2);

        Assert.True(reply.Recovered);
        Assert.Equal(seen[9].Position, reply.Position);
        var received = await client.NotificationsAsync(8);
        Assert.Equal(Enumerable.Range(4, 8).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received.Select(n => n.Payload));
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_client_far_behind_gets_a_history_longer_than_one_statement_reads_once_and_in_order()
    {
        // 25,000 rows take the replay three statements; each row sits between two of the other channel.
        const int Rows = 25_000;
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var live = await outbox.SubscribedClientAsync();
        await outbox.PublishAsync(HubFixture.Events, "start");
        var start = await live.NextNotificationAsync();
        await outbox.ExecuteAsync(
            $"SELECT count(notify_hub.publish(CASE WHEN g % 3 = 1 THEN 'events' ELSE 'other' END, (g / 3)::text)) FROM generate_series(0, {(3 * Rows) - 1}) g");
        var client = await outbox.ConnectAsync();

        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, start.Position);

        Assert.True(reply.Recovered);
        var received = await client.NotificationsAsync(Rows, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received.Select(n => n.Payload));
        Assert.All(received, n => Assert.Equal(HubFixture.Events, n.Channel));
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_replay_that_fails_midway_lets_nothing_it_held_through_and_a_retry_from_the_last_delivered_gets_the_rest_once_and_in_order()
    {
        // Live rows keep coming while the replay is written, and the hold keeps them. Released after the failure,
        // they would move the client past the history the replay did not write.
        const int History = LongHistory;
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server, captureLogs: true);
        var live = await outbox.SubscribedClientAsync();
        await outbox.PublishAsync(HubFixture.Events, "start");
        var start = await live.NextNotificationAsync();
        await outbox.ExecuteAsync($"SELECT count(notify_hub.publish('events', g::text)) FROM generate_series(0, {History - 1}) g");
        var client = await outbox.ConnectAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var published = History;
        var publishing = Task.Run(async () =>
        {
            await using var connection = await outbox.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand("SELECT notify_hub.publish('events', $1)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = published.ToString(CultureInfo.InvariantCulture) });
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                published++;
                await Task.Delay(TimeSpan.FromMilliseconds(5), CancellationToken.None);
            }
        }, TestContext.Current.CancellationToken);

        var received = await FailReplayMidwayAsync(outbox, client, start.Position);

        // Only the replay's own rows, from the first on, without a hole: the client's position is the last of them.
        Assert.Equal(Enumerable.Range(0, received.Count).Select(static i => i.ToString(CultureInfo.InvariantCulture)), received.Select(static n => n.Payload));
        Assert.True(received.Count < History, $"the replay should have failed before it wrote all {History} rows, not after {received.Count}");

        SubscribeFromReply reply;
        try
        {
            reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, received[^1].Position);
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine(outbox.Fixture.Logs.AllText);
            throw;
        }

        Assert.True(reply.Recovered);
        await stop.CancelAsync();
        await publishing;
        var rest = await client.NotificationsAsync(published - received.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(received.Count, published - received.Count).Select(static i => i.ToString(CultureInfo.InvariantCulture)), rest.Select(static n => n.Payload));
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));

        // The client subscribed before carried on live through all of it.
        var liveRows = await live.NotificationsAsync(History + (published - History), TimeSpan.FromSeconds(60));
        Assert.Equal((published - 1).ToString(CultureInfo.InvariantCulture), liveRows[^1].Payload);
    }

    [Fact]
    public async Task A_replay_that_fails_on_a_channel_subscribed_before_leaves_it_too_and_a_retry_from_the_last_delivered_gets_the_rest()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.SubscribedClientAsync(HubFixture.Events);
        await outbox.PublishAsync(HubFixture.Events, "start");
        var start = await client.NextNotificationAsync();
        await outbox.ExecuteAsync($"SELECT count(notify_hub.publish('events', g::text)) FROM generate_series(0, {LongHistory - 1}) g");
        await client.NotificationsAsync(LongHistory, TimeSpan.FromSeconds(60));

        var received = await FailReplayMidwayAsync(outbox, client, start.Position);

        // Left, as if it had never been subscribed: nothing live can move the client past what the replay did not write.
        await outbox.PublishAsync(HubFixture.Events, "while left");
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)));
        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, received[^1].Position);
        Assert.True(reply.Recovered);
        var rest = await client.NotificationsAsync(LongHistory - received.Count + 1, TimeSpan.FromSeconds(60));
        Assert.Equal(
            Enumerable.Range(received.Count, LongHistory - received.Count).Select(static i => i.ToString(CultureInfo.InvariantCulture)).Append("while left"),
            rest.Select(static n => n.Payload));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.NextResyncAsync(TimeSpan.FromMilliseconds(200)));
    }

    // Long enough that a replay of it is still being written when its connection is cut.
    private const int LongHistory = 60_000;

    /// <summary>
    /// Starts a <c>SubscribeFrom</c> of the events channel from <paramref name="since"/>, cuts its replay's connection
    /// once 20,000 rows have arrived, and returns what arrived by the time it was refused and things went quiet.
    /// </summary>
    private static async Task<List<Hub.Client.HubNotification>> FailReplayMidwayAsync(OutboxScenario outbox, RecordingClient client, string? since)
    {
        var call = client.SubscribeFromAsync(outbox.Database, HubFixture.Events, since);
        var received = await client.NotificationsAsync(20_000, TimeSpan.FromSeconds(60));
        Assert.True(await outbox.TerminateReplayBackendsAsync() >= 1, "the replay should still be reading when its connection is cut");
        var refused = await Assert.ThrowsAsync<HubException>(() => call);
        Assert.Contains("could not be read; retry shortly", refused.Message, StringComparison.Ordinal);
        while (await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)))
        {
            received.Add(await client.NextNotificationAsync());
        }

        return received;
    }

    [Fact]
    public async Task A_client_far_behind_while_the_reader_fans_the_same_rows_out_live_stays_connected_and_gets_each_row_once()
    {
        // The reader fans the 30,000 rows out live while the replay writes them: the hold keeps them all, several
        // megabytes, against a bound of 64 KB (256 KB hard). It sheds what the replay writes anyway instead of
        // disconnecting a client that reads.
        const int Rows = 30_000;
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server, captureLogs: true, configureHub: static s =>
        {
            s.Delivery.MaxBufferedBytesPerConnection = 64 * 1024;
            s.Delivery.HardMaxBufferedBytesPerConnection = 256 * 1024;
        });
        var live = await outbox.SubscribedClientAsync();
        await outbox.PublishAsync(HubFixture.Events, "start");
        var start = await live.NextNotificationAsync();
        var client = await outbox.ConnectAsync();
        await outbox.ExecuteAsync($"SELECT count(notify_hub.publish('events', g::text)) FROM generate_series(0, {Rows - 1}) g");

        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, start.Position);

        Assert.True(reply.Recovered);
        var received = await client.NotificationsAsync(Rows, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, Rows).Select(static i => i.ToString(CultureInfo.InvariantCulture)), received.Select(static n => n.Payload));
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        Assert.DoesNotContain("slow consumer", outbox.Fixture.Logs.AllText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Only_the_asked_channel_is_replayed()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var live = await outbox.SubscribedClientAsync(channel: null);
        var start = await live.SubscribeFromAsync(outbox.Database, null, null);
        await outbox.PublishAsync(HubFixture.Other, "other");
        await outbox.PublishAsync(HubFixture.Events, "events");
        await live.NotificationsAsync(2);
        var client = await outbox.ConnectAsync();

        await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, start.Position);

        Assert.Equal((HubFixture.Events, "events"), await client.NextNotificationAsync() is var n ? (n.Channel, n.Payload) : default);
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1000000000000000700000000000000050000000000000384deadbeef")]
    public async Task Malformed_or_forged_position_is_refused_and_the_connection_carries_on(string since)
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeFromAsync(outbox.Database, null, since));
        var reply = await client.SubscribeFromAsync(outbox.Database, null, null);
        await outbox.PublishAsync(HubFixture.Events, "still served");

        Assert.Contains("is not a valid stream position", error.Message, StringComparison.Ordinal);
        Assert.True(reply.Recovered);
        Assert.Equal("still served", (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Plain_notify_database_is_refused()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeFromAsync(scenario.Database, null, null));

        Assert.Contains("has no durable stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Position_from_another_epoch_gets_history_unavailable()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var (old, current) = await outbox.StartNewEpochAsync(await outbox.SubscribedClientAsync());
        var client = await outbox.ConnectAsync();

        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, old.Position);
        var resync = await client.NextResyncAsync();
        await outbox.PublishAsync(HubFixture.Events, "live");

        Assert.False(reply.Recovered);
        Assert.Equal(current.Position, reply.Position);
        Assert.Equal((outbox.Database, ResyncReasons.HistoryUnavailable), (resync.Database, resync.Reason));
        Assert.Equal("live", (await client.NextNotificationAsync()).Payload);
        Assert.NotEqual(old.Position![..StreamPosition.EpochPrefixLength], current.Position![..StreamPosition.EpochPrefixLength]);
    }

    [Fact]
    public async Task Position_before_retention_gets_history_unavailable()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server, o => o.Retention = TimeSpan.FromSeconds(1));
        var live = await outbox.SubscribedClientAsync();
        await outbox.PublishManyAsync(HubFixture.Events, 0, 3);
        var seen = await live.NotificationsAsync(3);
        await Eventually.TrueAsync(
            async () =>
            {
                await using var connection = await outbox.OpenAsync();
                await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM notify_hub.outbox", connection);
                return (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 0;
            },
            TimeSpan.FromSeconds(20),
            "retention deletes the delivered rows");
        var client = await outbox.ConnectAsync();

        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, seen[0].Position);
        var resync = await client.NextResyncAsync();
        var atHead = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, seen[2].Position);

        Assert.False(reply.Recovered);
        Assert.Equal(ResyncReasons.HistoryUnavailable, resync.Reason);
        Assert.True(atHead.Recovered, "nothing after the last delivered row was deleted");
    }

    [Fact]
    public async Task Position_ahead_of_the_stream_gets_history_unavailable()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var live = await outbox.SubscribedClientAsync();
        await outbox.PublishAsync(HubFixture.Events, "one");
        var one = await live.NextNotificationAsync();
        Assert.True(StreamPosition.TryParse(one.Position, out var position));
        var ahead = (position!.Value with { Id = position.Value.Id + 1000 }).ToString();
        var client = await outbox.ConnectAsync();

        var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, ahead);

        Assert.False(reply.Recovered);
        Assert.Equal(ResyncReasons.HistoryUnavailable, (await client.NextResyncAsync()).Reason);
    }

    [Fact]
    public async Task Reconnecting_with_a_position_while_the_stream_moves_has_no_gap_and_no_duplicate()
    {
        const int Total = 1500;
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server, captureLogs: true);
        var keepsListenerOpen = await outbox.ConnectAsync();
        var position = (await keepsListenerOpen.SubscribeFromAsync(outbox.Database, HubFixture.Events, null)).Position;
        var publishing = outbox.PublishManyAsync(HubFixture.Events, 0, Total);
        var received = new List<string>();
        var round = 0;
        while (received.Count < Total)
        {
            round++;
            await using var client = await RecordingClient.ConnectAsync(outbox.Fixture.Hub.HubUrl, messagePack: round % 2 == 0);
            var reply = await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, position);
            Assert.True(reply.Recovered);

            // Take a few, then drop the connection mid-stream and resume from the last one taken.
            var take = Math.Min(Total - received.Count, 1 + (round * 37 % 120));
            foreach (var notification in await client.NotificationsAsync(take, TimeSpan.FromSeconds(60)))
            {
                Assert.True(string.CompareOrdinal(notification.Position, position) > 0, "every notification comes after the resumed position");
                received.Add(notification.Payload);
                position = notification.Position;
            }
        }

        await publishing;
        Assert.True(round > 10, $"reconnected {round} times");
        Assert.Equal(Enumerable.Range(0, Total).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received);

        // Each hold ended on the reader's signal, none on the wait's time limit.
        Assert.Contains(outbox.Fixture.Logs.Entries, static e => e.EventId == HubEventIds.StreamReplayed);
        Assert.DoesNotContain(outbox.Fixture.Logs.Entries, static e => e.EventId == HubEventIds.StreamReaderWaitTimedOut);
        GC.KeepAlive(keepsListenerOpen);
    }
}
