using Hub.Client;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Client;

/// <summary>The .NET client's calls against the real hub: order, unsubscribe, publish.</summary>
public sealed class ClientDeliveryTests(SharedPostgres postgres)
{
    [Fact]
    [Scenario("order")]
    public async Task Notifications_arrive_in_the_order_PostgreSQL_sent_them()
    {
        await using var hub = await HubFixture.For(postgres.Server).StartAsync();
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl });
        await recorder.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        var payloads = Enumerable.Range(0, 200).Select(static i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        await Postgres.NotifyManyAsync(hub.DatabaseConnectionString, HubFixture.Events, payloads);

        Assert.Equal(payloads, (await recorder.NotificationsUntilAsync("199")).Select(static n => n.Payload));
    }

    [Fact]
    [Scenario("unsubscribe")]
    public async Task Unsubscribe_stops_that_channel_and_keeps_the_others()
    {
        await using var hub = await HubFixture.For(postgres.Server).StartAsync();
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl });
        Assert.Equal([HubFixture.Events, HubFixture.Other], await recorder.Client.SubscribeAsync(hub.Database, null, TestContext.Current.CancellationToken));

        await recorder.Client.UnsubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        await hub.NotifyAsync(HubFixture.Events, "left");
        await hub.NotifyAsync(HubFixture.Other, "kept");

        Assert.Equal(["kept"], (await recorder.NotificationsUntilAsync("kept")).Select(static n => n.Payload));
        Assert.Equal([HubFixture.Other], recorder.Client.Subscriptions[hub.Database]);
        await recorder.Client.UnsubscribeAsync(hub.Database, null, TestContext.Current.CancellationToken);
        Assert.Empty(recorder.Client.Subscriptions);
    }

    [Fact]
    [Scenario("publish")]
    [Scenario("publish-refused")]
    public async Task Publish_reaches_subscribers_and_without_the_right_is_refused_while_the_client_carries_on()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var writerToken = hub.Tokens.Create("writer", [hub.Database], publish: [hub.Database]);
        var readerToken = hub.Tokens.Create("reader", [hub.Database]);
        await using var writer = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, AccessTokenProvider = () => Task.FromResult<string?>(writerToken) });
        await using var reader = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, AccessTokenProvider = () => Task.FromResult<string?>(readerToken) });
        await reader.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);

        var refused = await Assert.ThrowsAsync<HubException>(() => reader.Client.PublishAsync(hub.Database, HubFixture.Events, "not mine", TestContext.Current.CancellationToken));
        await writer.Client.PublishAsync(hub.Database, HubFixture.Events, "published", TestContext.Current.CancellationToken);

        Assert.Contains($"publishing to database '{hub.Database}' is not allowed", refused.Message, StringComparison.Ordinal);
        var notification = await reader.NextNotificationAsync();
        Assert.Equal((hub.Database, HubFixture.Events, "published"), (notification.Database, notification.Channel, notification.Payload));
        Assert.Equal([HubFixture.Events], await reader.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken));
    }
}
