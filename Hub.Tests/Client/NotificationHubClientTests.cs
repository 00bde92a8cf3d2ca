using Hub.Client;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hub.Tests.Client;

/// <summary>The .NET client library: a few lines to subscribe, and it stays subscribed across outages.</summary>
public sealed class NotificationHubClientTests(SharedPostgres postgres)
{
    [Theory]
    [Scenario("subscribe-receive")]
    [Scenario("messagepack")]
    [InlineData(Hub.Client.HubProtocol.Json)]
    [InlineData(Hub.Client.HubProtocol.MessagePack)]
    public async Task Subscribe_and_read_notifications(Hub.Client.HubProtocol protocol)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await using var client = new NotificationHubClient(new() { Url = scenario.Hub.HubUrl, Protocol = protocol });
        var viaEvent = new List<HubNotification>();
        client.Notification += viaEvent.Add;
        await client.StartAsync(TestContext.Current.CancellationToken);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var firstTwo = client.ReadAllAsync(reading.Token).Take(2).ToListAsync(reading.Token);

        var channels = await client.SubscribeAsync(scenario.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        await scenario.NotifyAsync(HubFixture.Events, "one");
        await scenario.NotifyAsync(HubFixture.Events, "two");

        Assert.Equal([HubFixture.Events], channels);
        var received = await firstTwo;
        Assert.Equal(["one", "two"], received.Select(n => n.Payload));
        Assert.All(received, n => Assert.Equal(scenario.Database, n.Database));
        Assert.Equal(["one", "two"], viaEvent.Select(n => n.Payload));
    }

    [Fact]
    [Scenario("refusal")]
    public async Task Refusal_surfaces_as_HubException_and_the_client_carries_on()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await using var client = new NotificationHubClient(new() { Url = scenario.Hub.HubUrl });
        await client.StartAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("nope", null, TestContext.Current.CancellationToken));

        Assert.EndsWith("database 'nope' is not available", error.Message, StringComparison.Ordinal);
        Assert.Empty(client.Subscriptions);
        Assert.Equal([HubFixture.Events, HubFixture.Other], await client.SubscribeAsync(scenario.Database, null, TestContext.Current.CancellationToken));
    }

    [Fact]
    [Scenario("reconnect-resubscribe")]
    public async Task After_the_server_restarts_the_client_reconnects_resubscribes_and_receives()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await using var client = new NotificationHubClient(new() { Url = scenario.Hub.HubUrl, MaxReconnectDelay = TimeSpan.FromSeconds(1) });
        var resyncs = System.Threading.Channels.Channel.CreateUnbounded<HubResync>();
        var notifications = System.Threading.Channels.Channel.CreateUnbounded<HubNotification>();
        client.Resync += r => resyncs.Writer.TryWrite(r);
        client.Notification += n => notifications.Writer.TryWrite(n);
        await client.StartAsync(TestContext.Current.CancellationToken);
        await client.SubscribeAsync(scenario.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        await client.SubscribeAsync(scenario.Database, HubFixture.Other, TestContext.Current.CancellationToken);
        await client.UnsubscribeAsync(scenario.Database, HubFixture.Other, TestContext.Current.CancellationToken);

        await scenario.Hub.StopAsync();
        await Eventually.TrueAsync(() => client.State != HubConnectionState.Connected, TimeSpan.FromSeconds(10), "the client notices the server went away");
        await scenario.Hub.StartAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var resync = await resyncs.Reader.ReadAsync(timeout.Token);
        Assert.Equal((scenario.Database, HubResync.ClientReconnected), (resync.Database, resync.Reason));
        Assert.True(resync.Since <= resync.Until);
        await scenario.NotifyAsync(HubFixture.Other, "not resubscribed");
        await scenario.NotifyAsync(HubFixture.Events, "after restart");
        var notification = await notifications.Reader.ReadAsync(timeout.Token);
        Assert.Equal((HubFixture.Events, "after restart"), (notification.Channel, notification.Payload));
        Assert.Equal([HubFixture.Events], client.Subscriptions[scenario.Database]);
    }

    [Fact]
    [Scenario("listener-resync")]
    [Scenario("messagepack")]
    public async Task Listener_resync_from_the_server_reaches_the_client()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await using var client = new NotificationHubClient(new() { Url = scenario.Hub.HubUrl, Protocol = Hub.Client.HubProtocol.MessagePack });
        var resync = new TaskCompletionSource<HubResync>(TaskCreationOptions.RunContinuationsAsynchronously);
        var notifications = System.Threading.Channels.Channel.CreateUnbounded<HubNotification>();
        client.Resync += r => resync.TrySetResult(r);
        client.Notification += n => notifications.Writer.TryWrite(n);
        await client.StartAsync(TestContext.Current.CancellationToken);
        await client.SubscribeAsync(scenario.Database, null, TestContext.Current.CancellationToken);

        await Postgres.TerminateAsync(postgres.Server.ConnectionString(), Assert.Single(await scenario.ListenerPidsAsync()));

        var received = await resync.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal((scenario.Database, ResyncReasons.ListenerReconnected), (received.Database, received.Reason));
        await scenario.NotifyAsync(HubFixture.Events, "resumed");
        Assert.Equal("resumed", (await notifications.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken)).Payload);
    }

    [Fact]
    [Scenario("start-retries")]
    public async Task Start_keeps_trying_until_the_server_is_up()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await scenario.Hub.StopAsync();
        await using var client = new NotificationHubClient(new() { Url = scenario.Hub.HubUrl, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) });

        var start = client.StartAsync(TestContext.Current.CancellationToken);
        await Task.Delay(700, TestContext.Current.CancellationToken);
        Assert.False(start.IsCompleted);
        await scenario.Hub.StartAsync();

        await start.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal(HubConnectionState.Connected, client.State);
    }

    [Fact]
    [Scenario("options-url-required")]
    public void Options_without_url_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new NotificationHubClient(new NotificationHubClientOptions()));

        Assert.Contains("Url is required", error.Message, StringComparison.Ordinal);
    }
}
