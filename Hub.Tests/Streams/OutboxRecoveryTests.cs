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
}
