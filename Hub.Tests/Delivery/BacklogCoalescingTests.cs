using System.Globalization;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Delivery;

public sealed class BacklogCoalescingTests(SharedPostgres postgres)
{
    private const int Burst = 500;

    [Fact]
    public async Task Burst_committed_at_once_reaches_every_subscriber_complete_and_in_order()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var clients = new List<RecordingClient>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await scenario.SubscribedClientAsync(messagePack: i % 2 == 1));
        }

        // One transaction: PostgreSQL delivers the whole burst at commit, faster than the hub fans it out, so the
        // hub sends it in runs that reach each connection several notifications to a WebSocket message.
        await Postgres.NotifyBurstAsync(scenario.DatabaseConnectionString, HubFixture.Events, Burst);

        var expected = Enumerable.Range(1, Burst).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var client in clients)
        {
            Assert.Equal(expected, (await client.NotificationsAsync(Burst)).Select(n => n.Payload));
        }

        Assert.False(await clients[0].ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)), "nothing beyond the burst");
    }
}
