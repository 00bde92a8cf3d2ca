using Hub.Tests.Infrastructure;

namespace Hub.Tests.Streams;

public sealed class OutboxRecoveryTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Killing_the_listener_backend_mid_stream_loses_nothing_and_sends_no_resync()
    {
        const int Total = 600;
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var connected = await outbox.ConnectAsync();
        var start = await connected.SubscribeFromAsync(outbox.Database, HubFixture.Events, null);
        var publishing = outbox.PublishManyAsync(HubFixture.Events, 0, Total);

        var firstHalf = await connected.NotificationsAsync(Total / 3, TimeSpan.FromSeconds(60));
        foreach (var pid in await outbox.Fixture.ListenerPidsAsync())
        {
            await Postgres.TerminateAsync(postgres.Server.ConnectionString(), pid);
        }

        var rest = await connected.NotificationsAsync(Total - firstHalf.Count, TimeSpan.FromSeconds(60));
        await publishing;

        var expected = Enumerable.Range(0, Total).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, firstHalf.Concat(rest).Select(n => n.Payload));
        Assert.False(await connected.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)), "each row once");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connected.NextResyncAsync(TimeSpan.FromMilliseconds(200)));

        // A client that was away for all of it resumes from the position it had stored.
        var resuming = await outbox.ConnectAsync(messagePack: true);
        var reply = await resuming.SubscribeFromAsync(outbox.Database, HubFixture.Events, start.Position);
        Assert.True(reply.Recovered);
        Assert.Equal(expected, (await resuming.NotificationsAsync(Total, TimeSpan.FromSeconds(60))).Select(n => n.Payload));
        Assert.Equal(rest[^1].Position, reply.Position);
    }

    [Fact]
    public async Task Rows_the_database_lost_after_they_were_sent_start_a_new_epoch_from_the_last_row_that_survived()
    {
        await using var outbox = await OutboxScenario.StartAsync(postgres.Server);
        var client = await outbox.ConnectAsync();
        await client.SubscribeFromAsync(outbox.Database, HubFixture.Events, null);
        await outbox.PublishManyAsync(HubFixture.Events, 0, 5);
        var sent = await client.NotificationsAsync(5);

        // What a crash that loses the last commits leaves: the rows written before the server started, not the last
        // two, which the hub had already sent.
        await outbox.ExecuteAsync("DELETE FROM notify_hub.outbox WHERE payload IN ('3', '4')");
        await outbox.ExecuteAsync("UPDATE notify_hub.outbox SET created_at = pg_postmaster_start_time() - interval '1 minute'");
        foreach (var pid in await outbox.Fixture.ListenerPidsAsync())
        {
            await Postgres.TerminateAsync(postgres.Server.ConnectionString(), pid);
        }

        await Eventually.TrueAsync(
            async () =>
            {
                await using var connection = await outbox.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand("SELECT c.epoch <> $1 FROM notify_hub.cursor c", connection);
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Epoch(sent[0].Position) });
                return (bool)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            },
            TimeSpan.FromSeconds(20),
            "the reader should start a new epoch once it leads again");
        await outbox.PublishAsync(HubFixture.Events, "after");
        var after = await client.NextNotificationAsync();
        var resuming = await outbox.ConnectAsync();
        var reply = await resuming.SubscribeFromAsync(outbox.Database, HubFixture.Events, sent[4].Position);

        Assert.Equal("after", after.Payload);
        Assert.NotEqual(Epoch(sent[0].Position), Epoch(after.Position));
        Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)), "the rows that survived are not sent again");
        Assert.False(reply.Recovered);
        Assert.Equal(Hub.Server.Contracts.ResyncReasons.HistoryUnavailable, (await resuming.NextResyncAsync()).Reason);
    }

    private static long Epoch(string? position)
    {
        Assert.True(Hub.Server.Streams.StreamPosition.TryParse(position, out var parsed));
        return parsed!.Value.Epoch;
    }
}
