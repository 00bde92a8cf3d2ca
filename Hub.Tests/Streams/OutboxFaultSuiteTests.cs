using Hub.Bench.Measuring;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Streams;

/// <summary>
/// Three hub processes, Redis and PostgreSQL of their own, clients on every instance and one behind a TCP proxy, and
/// a steady stream of numbered outbox events while, one after another, the listener's backend is terminated,
/// PostgreSQL restarts, the leader is killed, Redis stops and the proxied client's network is cut. Every client ends
/// with every event, once, in order, with no resync, counted against the sequence numbers published.
/// The test command runs the soak on its own, after the rest of the suite; <c>scripts/fault-suite.sh quick</c> runs it
/// short (<see cref="FaultSuiteSize.Quick"/>), <c>scripts/fault-suite.sh</c> the soak.
/// </summary>
public sealed class OutboxFaultSuiteTests
{
    [Fact]
    public async Task Every_client_gets_every_event_once_and_in_order_through_every_fault()
    {
        // Only when asked for (scripts/test.sh asks, in a run of its own): its three hub processes under a steady stream,
        // run beside the rest of the suite on two cores, made timing-bound tests elsewhere miss their deadlines.
        Assert.SkipWhen(Environment.GetEnvironmentVariable(FaultSuiteSize.Variable) is null, $"set {FaultSuiteSize.Variable}=quick or =soak (scripts/fault-suite.sh) to run it");
        var size = FaultSuiteSize.FromEnvironment();
        var log = TestContext.Current.TestOutputHelper;
        log?.WriteLine($"fault suite: {size}");
        await using var postgres = await PostgresServer.StartAsync();
        await using var fixture = await HubFixture.For(postgres).WithDatabasePrefix("faults").Configure(static s =>
        {
            OutboxScenario.Enable(s);
            // When a client misses events, the replays and batches each instance logged, timed, say where they went.
            s.Raw["Logging:Console:TimestampFormat"] = "HH:mm:ss.fff ";
            s.Raw["Logging:LogLevel:Hub.Server.Streams"] = "Debug";
        }).StartClusterAsync(3);
        var cluster = fixture.Cluster;
        var instances = cluster.Instances;
        await using var proxy = new TcpProxy(cluster.Nginx.Port);
        var subscribers = new List<(string Name, ResumingSubscriber Subscriber)>();
        try
        {
            for (var i = 0; i < instances.Count; i++)
            {
                var preferred = i;
                subscribers.Add(($"client on {instances[i].InstanceId}", await ResumingSubscriber.StartAsync(
                    () => LiveInstance(instances, preferred).HubUrl, fixture.Database, HubFixture.Events, messagePack: i % 2 == 1)));
            }

            subscribers.Add(("client behind the proxy", await ResumingSubscriber.StartAsync(
                () => new Uri($"http://127.0.0.1:{proxy.Port}/hubs/notifications"), fixture.Database, HubFixture.Events)));
            await cluster.SettledListenerAsync();
            log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} clients subscribed");

            var publisher = new SequencedPublisher(fixture.DatabaseConnectionString, size.Events, size.EventsPerSecond);
            await publisher.PrepareAsync();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            stop.CancelAfter(size.Deadline);
            var publishing = publisher.RunAsync(stop.Token);

            async Task FaultAsync(string name, Func<Task> fault)
            {
                // Each fault meets a moving stream, and the next one comes only once every client is past it.
                var before = publisher.Published;
                await Eventually.TrueAsync(() => publisher.Published > before + 20, size.Deadline, $"events should be flowing before: {name} ({publisher})");
                log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {name} at {publisher}");
                await fault();
                var reached = publisher.Published;
                Assert.False(publishing.IsCompleted, $"{name}: events should still be being published");
                await Task.WhenAll(subscribers.Select(s => s.Subscriber.WaitForAsync(reached, size.Deadline)));
                log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} every client past {reached} after: {name}");
            }

            await FaultAsync("terminate the listener's backend", async () =>
            {
                foreach (var pid in await fixture.ListenerPidsAsync())
                {
                    await Postgres.TerminateAsync(postgres.ConnectionString(), pid);
                }
            });
            await FaultAsync("restart PostgreSQL", postgres.RestartAsync);
            await FaultAsync("kill -9 the leader", async () =>
            {
                var leader = await cluster.SettledListenerAsync(timeout: TimeSpan.FromSeconds(30));
                log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} killing {leader.InstanceId} at {publisher}");
                await leader.KillAsync();
            });
            await FaultAsync($"stop Redis for {size.RedisOutage.TotalSeconds} s", async () =>
            {
                await cluster.Redis.StopAsync();
                await Task.Delay(size.RedisOutage, stop.Token);
                await cluster.Redis.StartServerAsync();
            });
            await FaultAsync($"cut the proxied client's network for {size.NetworkCut.TotalSeconds} s", async () =>
            {
                proxy.Blackhole();
                await Task.Delay(size.NetworkCut, stop.Token);
                proxy.Restore();
            });

            publisher.AllowFinish();
            await publishing;
            log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {publisher}");
            try
            {
                await Eventually.TrueAsync(() => subscribers.All(s => s.Subscriber.Delivered.Count >= size.Events), size.Deadline, "every client should deliver every event");
            }
            finally
            {
                subscribers.ForEach(s => log?.WriteLine($"{s.Name}: {s.Subscriber.Describe()}"));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);

            foreach (var (name, subscriber) in subscribers)
            {
                var tracker = new SequenceTracker();
                foreach (var seq in subscriber.Delivered)
                {
                    tracker.Record(seq);
                }

                var summary = $"{name}: {tracker.Unique} of {size.Events}, lost {tracker.Lost(size.Events)}, duplicated {tracker.Duplicates}, "
                    + $"out of order {tracker.OutOfOrder}; the client rule dropped {subscriber.Dropped} repeats; resumed {subscriber.Resumes} times; "
                    + $"resyncs: [{string.Join(", ", subscriber.Resyncs)}]";
                log?.WriteLine(summary);
                Assert.True(tracker.Lost(size.Events) == 0 && tracker.Duplicates == 0 && tracker.OutOfOrder == 0 && tracker.Unique == size.Events, summary);

                // No fault needs a resync: the hub replays what a gap in live delivery lost, and every resume recovered.
                Assert.Empty(subscriber.Resyncs);
            }

            Assert.True(subscribers[^1].Subscriber.Resumes >= 1, "the proxied client resumed after its network came back");
        }
        catch
        {
            log?.WriteLine(cluster.Logs());
            throw;
        }
        finally
        {
            foreach (var (_, subscriber) in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    /// <summary>The instance a client prefers while it lives, else the first one that does.</summary>
    private static HubProcess LiveInstance(IReadOnlyList<HubProcess> instances, int preferred)
        => instances[preferred] is { HasExited: false } hub ? hub : instances.First(static i => !i.HasExited);
}
