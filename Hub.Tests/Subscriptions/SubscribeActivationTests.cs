using Hub.Tests.Infrastructure;

namespace Hub.Tests.Subscriptions;

/// <summary>When Subscribe returns, the LISTEN is active: a NOTIFY sent right after it is never missed.</summary>
public sealed class SubscribeActivationTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Notify_right_after_first_subscribe_of_a_fresh_database_arrives()
    {
        for (var round = 0; round < 5; round++)
        {
            await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
            var client = await scenario.SubscribedClientAsync();

            await scenario.NotifyAsync(HubFixture.Events, $"round {round}");

            Assert.Equal($"round {round}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
        }
    }

    [Fact]
    public async Task Notify_right_after_subscribing_a_fresh_channel_of_a_listening_database_arrives()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await scenario.SubscribedClientAsync(HubFixture.Events);

        for (var round = 0; round < 20; round++)
        {
            var client = await scenario.ConnectAsync();
            await client.SubscribeAsync(scenario.Database, HubFixture.Other);
            await scenario.NotifyAsync(HubFixture.Other, $"round {round}");
            Assert.Equal($"round {round}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
            await client.UnsubscribeAsync(scenario.Database, HubFixture.Other);
        }
    }

    [Fact]
    public async Task Notify_right_after_resubscribing_during_the_grace_period_arrives()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.ConnectAsync();

        for (var round = 0; round < 20; round++)
        {
            await client.SubscribeAsync(scenario.Database, HubFixture.Events);
            await scenario.NotifyAsync(HubFixture.Events, $"round {round}");
            Assert.Equal($"round {round}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
            await client.UnsubscribeAsync(scenario.Database, HubFixture.Events);
        }
    }

    [Fact]
    public async Task Concurrent_first_subscribers_all_wait_for_the_listen()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => scenario.ConnectAsync()));

        await Task.WhenAll(clients.Select(c => c.SubscribeAsync(scenario.Database, HubFixture.Events)));
        await scenario.NotifyAsync(HubFixture.Events, "all of you");

        foreach (var client in clients)
        {
            Assert.Equal("all of you", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
        }
    }
}
