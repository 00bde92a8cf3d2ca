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
            await using var scenario = await HubScenario.StartAsync(postgres.Server);
            var client = await scenario.SubscribedClientAsync();

            await scenario.NotifyAsync(HubScenario.Events, $"round {round}");

            Assert.Equal($"round {round}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
        }
    }

    [Fact]
    public async Task Notify_right_after_subscribing_a_fresh_channel_of_a_listening_database_arrives()
    {
        await using var scenario = await HubScenario.StartAsync(postgres.Server);
        await scenario.SubscribedClientAsync(HubScenario.Events);

        for (var round = 0; round < 20; round++)
        {
            var client = await scenario.ConnectAsync();
            await client.SubscribeAsync(scenario.Database, HubScenario.Other);
            await scenario.NotifyAsync(HubScenario.Other, $"round {round}");
            Assert.Equal($"round {round}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
            await client.UnsubscribeAsync(scenario.Database, HubScenario.Other);
        }
    }

    [Fact]
    public async Task Notify_right_after_resubscribing_during_the_grace_period_arrives()
    {
        await using var scenario = await HubScenario.StartAsync(postgres.Server);
        var client = await scenario.ConnectAsync();

        for (var round = 0; round < 20; round++)
        {
            await client.SubscribeAsync(scenario.Database, HubScenario.Events);
            await scenario.NotifyAsync(HubScenario.Events, $"round {round}");
            Assert.Equal($"round {round}", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
            await client.UnsubscribeAsync(scenario.Database, HubScenario.Events);
        }
    }

    [Fact]
    public async Task Concurrent_first_subscribers_all_wait_for_the_listen()
    {
        await using var scenario = await HubScenario.StartAsync(postgres.Server);
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => scenario.ConnectAsync()));

        await Task.WhenAll(clients.Select(c => c.SubscribeAsync(scenario.Database, HubScenario.Events)));
        await scenario.NotifyAsync(HubScenario.Events, "all of you");

        foreach (var client in clients)
        {
            Assert.Equal("all of you", (await client.NextNotificationAsync(TimeSpan.FromSeconds(5))).Payload);
        }
    }
}
