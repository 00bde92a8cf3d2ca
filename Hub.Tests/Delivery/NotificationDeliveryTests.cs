using Hub.Tests.Infrastructure;

namespace Hub.Tests.Delivery;

public sealed class NotificationDeliveryTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Notification_carries_every_envelope_field(bool messagePack)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.SubscribedClientAsync(messagePack: messagePack);
        var before = DateTime.UtcNow;

        await scenario.NotifyAsync(HubFixture.Events, "hello");

        var notification = await client.NextNotificationAsync();
        Assert.Equal(scenario.Database, notification.Database);
        Assert.Equal(HubFixture.Events, notification.Channel);
        Assert.Equal("hello", notification.Payload);
        Assert.True(notification.ProcessId > 0);
        Assert.Equal(DateTimeKind.Utc, notification.ReceivedAt.Kind);
        Assert.InRange(notification.ReceivedAt, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Thousand_notifications_arrive_complete_and_in_order()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var json = await scenario.SubscribedClientAsync();
        var messagePack = await scenario.SubscribedClientAsync(messagePack: true);
        var payloads = Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        await Postgres.NotifyManyAsync(scenario.DatabaseConnectionString, HubFixture.Events, payloads);

        Assert.Equal(payloads, (await json.NotificationsAsync(1000)).Select(n => n.Payload));
        Assert.Equal(payloads, (await messagePack.NotificationsAsync(1000)).Select(n => n.Payload));
        Assert.False(await json.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)), "nothing beyond the 1,000 sent");
    }

    [Theory]
    [InlineData("unicode: żółć 日本語 🚀 \u00e9")]
    [InlineData("quotes: 'single' \"double\" `back` \\ backslash")]
    [InlineData("{\"json\": [1, 2, {\"nested\": null}]}")]
    [InlineData("")]
    public async Task Payload_arrives_unchanged(string payload)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.SubscribedClientAsync();

        await scenario.NotifyAsync(HubFixture.Events, payload);

        Assert.Equal(payload, (await client.NextNotificationAsync()).Payload);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Payload_of_7999_bytes_arrives_intact(bool messagePack)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.SubscribedClientAsync(messagePack: messagePack);
        var payload = string.Concat(Enumerable.Range(0, 7999).Select(i => (char)('a' + (i % 26))));

        await scenario.NotifyAsync(HubFixture.Events, payload);

        Assert.Equal(payload, (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Only_subscribers_of_that_database_and_channel_receive_it()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await using var otherDatabase = await HubFixture.For(postgres.Server).StartAsync();
        var subscriber = await scenario.SubscribedClientAsync(HubFixture.Events);
        var otherChannel = await scenario.SubscribedClientAsync(HubFixture.Other);
        var notSubscribed = await scenario.ConnectAsync();
        var elsewhere = await otherDatabase.SubscribedClientAsync(HubFixture.Events);

        await scenario.NotifyAsync(HubFixture.Events, "for events only");

        Assert.Equal("for events only", (await subscriber.NextNotificationAsync()).Payload);
        var window = TimeSpan.FromMilliseconds(500);
        Assert.False(await otherChannel.ReceivesAnythingWithinAsync(window));
        Assert.False(await notSubscribed.ReceivesAnythingWithinAsync(window));
        Assert.False(await elsewhere.ReceivesAnythingWithinAsync(window));
    }

    [Fact]
    public async Task Subscribing_to_every_channel_receives_each_of_them()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.ConnectAsync();

        var channels = await client.SubscribeAsync(scenario.Database, null);
        await scenario.NotifyAsync(HubFixture.Events, "1");
        await scenario.NotifyAsync(HubFixture.Other, "2");

        Assert.Equal([HubFixture.Events, HubFixture.Other], channels);
        var received = await client.NotificationsAsync(2);
        Assert.Equal([(HubFixture.Events, "1"), (HubFixture.Other, "2")], received.Select(n => (n.Channel, n.Payload)));
    }

    [Fact]
    public async Task Unsubscribed_client_receives_nothing_more()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var leaving = await scenario.SubscribedClientAsync();
        var staying = await scenario.SubscribedClientAsync();

        await leaving.UnsubscribeAsync(scenario.Database, HubFixture.Events);
        await scenario.NotifyAsync(HubFixture.Events, "after");

        Assert.Equal("after", (await staying.NextNotificationAsync()).Payload);
        Assert.False(await leaving.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)));
    }
}
