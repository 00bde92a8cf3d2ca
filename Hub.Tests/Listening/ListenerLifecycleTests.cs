using Hub.Tests.Infrastructure;

namespace Hub.Tests.Listening;

/// <summary>One LISTEN connection per database, however many subscribers, and none once they are gone.</summary>
public sealed class ListenerLifecycleTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Two_hundred_subscribers_share_one_listener_connection()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var clients = new List<RecordingClient>();
        for (var batch = 0; batch < 4; batch++)
        {
            clients.AddRange(await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            {
                var client = await scenario.ConnectAsync(messagePack: i % 2 == 0);
                await client.SubscribeAsync(scenario.Database, i % 3 == 0 ? null : HubFixture.Events);
                return client;
            })));
        }

        Assert.Single(await scenario.ListenerPidsAsync());
        await scenario.NotifyAsync(HubFixture.Events, "to all 200");
        foreach (var client in clients)
        {
            Assert.Equal("to all 200", (await client.NextNotificationAsync()).Payload);
        }

        await Task.WhenAll(clients.Select(c => c.UnsubscribeAsync(scenario.Database, null)));
        Assert.Single(await scenario.ListenerPidsAsync());
        await Eventually.TrueAsync(async () => (await scenario.ListenerPidsAsync()).Length == 0, TimeSpan.FromSeconds(10),
            "the listener connection closes after the last unsubscribe and the grace period");
    }

    [Fact]
    public async Task Listener_closes_when_the_last_subscriber_disconnects_and_reopens_for_the_next()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var first = await scenario.SubscribedClientAsync();
        Assert.Single(await scenario.ListenerPidsAsync());

        await first.Connection.StopAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(async () => (await scenario.ListenerPidsAsync()).Length == 0, TimeSpan.FromSeconds(10),
            "a disconnect releases the connection's subscriptions");

        var next = await scenario.SubscribedClientAsync();
        await scenario.NotifyAsync(HubFixture.Events, "new listener");
        Assert.Equal("new listener", (await next.NextNotificationAsync()).Payload);
        Assert.Single(await scenario.ListenerPidsAsync());
    }

    [Fact]
    public async Task Listener_stays_open_during_the_grace_period()
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(s => s.Listener.IdleGracePeriod = TimeSpan.FromSeconds(30)).StartAsync();
        var client = await scenario.SubscribedClientAsync();
        var pid = Assert.Single(await scenario.ListenerPidsAsync());

        await client.UnsubscribeAsync(scenario.Database, null);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        await client.SubscribeAsync(scenario.Database, HubFixture.Events);

        Assert.Equal([pid], await scenario.ListenerPidsAsync());
    }

    [Fact]
    public async Task Each_database_has_its_own_listener()
    {
        var second = await postgres.Server.CreateUniqueDatabaseAsync();
        await using var scenario = await HubFixture.For(postgres.Server)
            .Configure(s => s.AddDatabase(second, postgres.Server.ConnectionString(second), HubFixture.Events))
            .StartAsync();
        var client = await scenario.SubscribedClientAsync();
        await client.SubscribeAsync(second, HubFixture.Events);

        Assert.Single(await scenario.ListenerPidsAsync());
        Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), second));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(second), HubFixture.Events, "from second");
        var notification = await client.NextNotificationAsync();
        Assert.Equal((second, "from second"), (notification.Database, notification.Payload));
    }
}
