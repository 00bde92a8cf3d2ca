using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

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
    public async Task Listener_stays_open_during_the_grace_period_and_closes_after_it()
    {
        // The hub's clock is the test's: the grace period passes when the test says so, not after a real wait.
        var time = new FakeTimeProvider();
        await using var scenario = await HubFixture.For(postgres.Server)
            .Configure(static s => s.Listener.IdleGracePeriod = TimeSpan.FromSeconds(30))
            .ConfigureServices(b =>
            {
                b.Services.AddSingleton<TimeProvider>(time);
                // The client's connection must outlive the fake time that passes: SignalR may judge it on the same clock.
                b.Services.Configure<Microsoft.AspNetCore.SignalR.HubOptions>(static o => o.ClientTimeoutInterval = TimeSpan.FromHours(1));
            })
            .CaptureLogs()
            .StartAsync();
        var client = await scenario.SubscribedClientAsync();
        var pid = Assert.Single(await scenario.ListenerPidsAsync());

        await client.UnsubscribeAsync(scenario.Database, null);
        // Once the UNLISTEN has run the loop waits, idle, on the hub's clock (no statement is in flight to time out).
        await UnlistenedAsync(scenario, times: 1);
        time.Advance(TimeSpan.FromSeconds(29));
        await client.SubscribeAsync(scenario.Database, HubFixture.Events);

        Assert.Equal([pid], await scenario.ListenerPidsAsync());

        await client.UnsubscribeAsync(scenario.Database, null);
        await UnlistenedAsync(scenario, times: 2);
        Assert.Equal([pid], await scenario.ListenerPidsAsync());
        await Eventually.TrueAsync(
            async () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return (await scenario.ListenerPidsAsync()).Length == 0;
            },
            TimeSpan.FromSeconds(10),
            "the listener connection closes once the grace period has passed");
        // Logged once the connection is closed, so maybe a moment after PostgreSQL no longer lists it.
        await Eventually.TrueAsync(
            () => scenario.Logs.Entries.Any(static e => e.EventId.Id == HubEventIds.ListenerClosedIdle),
            TimeSpan.FromSeconds(10),
            "the listener logs that it closed for being idle");
    }

    private static Task UnlistenedAsync(HubFixture scenario, int times)
        => Eventually.TrueAsync(
            () => scenario.Logs.Entries.Count(static e => e.EventId.Id == HubEventIds.ListenerChannelsChanged && e.Message.EndsWith("now LISTENs on no channel.", StringComparison.Ordinal)) >= times,
            TimeSpan.FromSeconds(10),
            "the listener logs that it LISTENs on no channel");

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
