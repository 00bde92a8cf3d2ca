using Hub.Testing.Wire;
using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Delivery;

public sealed class FanoutAllocationTests(SharedPostgres postgres)
{
    // Below what the shared array pool keeps on a 2-core machine (32 arrays per core), so that the 4 KB blocks
    // SignalR's pipes rent for each write come from the pool; beyond it they are allocated, in SignalR's code.
    private const int FewSubscribers = 5;
    private const int ManySubscribers = 50;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fanout_allocates_nothing_per_subscriber(bool coalesced)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var fanout = scenario.Hub.Services.GetRequiredService<IEnvelopeSender>();
        var cancellationToken = TestContext.Current.CancellationToken;
        var connections = new List<RawHubConnection>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = new List<Task>();
        try
        {
            await SubscribeAsync(scenario, connections, reading, FewSubscribers, stop.Token);
            var few = await AllocatedPerSendAsync(fanout, scenario.Database, coalesced);

            await SubscribeAsync(scenario, connections, reading, ManySubscribers - FewSubscribers, stop.Token);
            var many = await AllocatedPerSendAsync(fanout, scenario.Database, coalesced);

            // Serializing the envelope and SignalR's per-send bookkeeping cost the same however many subscribers
            // there are; anything per subscriber would show as hundreds of bytes per extra subscriber.
            var perExtraSubscriber = (many - few) / (double)(ManySubscribers - FewSubscribers);
            Assert.True(
                perExtraSubscriber < 8,
                $"a send allocated {few} bytes for {FewSubscribers} subscribers and {many} for {ManySubscribers}");
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }

            await Task.WhenAll(reading.Select(r => r.ContinueWith(static _ => { }, TaskScheduler.Default)));
        }
    }

    private static async Task SubscribeAsync(
        HubFixture scenario, List<RawHubConnection> connections, List<Task> reading, int count, CancellationToken stop)
    {
        for (var i = 0; i < count; i++)
        {
            var connection = await RawHubConnection.ConnectAsync(scenario.Hub.HubUrl, WireProtocol.Json, cancellationToken: stop);
            await connection.SubscribeAsync(scenario.Database, HubFixture.Events, stop);
            connections.Add(connection);
            reading.Add(Task.Run(() => connection.RunAsync(stop), stop));
        }
    }

    /// <summary>
    /// The fewest bytes one group send (or, <paramref name="coalesced"/>, a run of three and its release) allocated on
    /// the sending thread, over a few sends after a warm-up.
    /// </summary>
    private static async Task<long> AllocatedPerSendAsync(IEnvelopeSender fanout, string database, bool coalesced)
    {
        var envelope = new NotificationEnvelope(database, HubFixture.Events, "payload", 1, DateTime.UtcNow);
        var run = new DeferredFlushes();
        var fewest = long.MaxValue;
        for (var i = 0; i < 30; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            if (coalesced)
            {
                using (run.Enter())
                {
                    await fanout.SendAsync(envelope, CancellationToken.None);
                    await fanout.SendAsync(envelope, CancellationToken.None);
                    await fanout.SendAsync(envelope, CancellationToken.None);
                }

                run.Release();
            }
            else
            {
                await fanout.SendAsync(envelope, CancellationToken.None);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (i >= 10)
            {
                fewest = Math.Min(fewest, allocated);
            }

            // Let the transports drain, as between notifications.
            await Task.Delay(20);
        }

        return fewest;
    }
}
