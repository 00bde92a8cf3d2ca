using System.Diagnostics;
using System.Globalization;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scaling;

/// <summary>
/// Hub.Server processes sharing redis-server under a steady NOTIFY load, with Redis itself or one instance's link to
/// it failing: every notification a client misses lies inside a resync it received, none arrives twice or out of
/// order (counted against the numbers sent), and a leader cut off from Redis is replaced within five seconds.
/// </summary>
[Trait("Category", "Faults")]
public sealed class EnvelopeChannelFaultTests(SharedPostgres postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    // A first subscriber waits for the listener to connect, LISTEN and take or miss the lock: seconds on a busy machine.
    internal static readonly TimeSpan LoadedMachineSubscribeTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Redis_stopped_and_started_under_load_leaves_every_miss_inside_a_resync_with_no_duplicate_or_disorder()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("redisout")
            .Configure(static settings => settings.Listener.SubscribeTimeout = LoadedMachineSubscribeTimeout).StartClusterAsync(3);
        var cluster = fixture.Cluster;
        var clients = await OneClientPerInstanceAsync(fixture.Database, cluster.Instances);
        await using var disposeClients = new ClientsDisposal(clients);
        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(20, TimeSpan.FromSeconds(15))));

        var outage = Stopwatch.StartNew();
        await cluster.Redis.StopAsync();
        var sentAtStop = load.Sent;
        await Eventually.TrueAsync(() => load.Sent > sentAtStop + 50, TimeSpan.FromSeconds(10), "notifications should go on being committed");
        await cluster.Redis.StartServerAsync();
        var restarted = outage.Elapsed;
        var sentAtStart = load.Sent;
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(sentAtStart + 1, TimeSpan.FromSeconds(30))));
        var recovered = outage.Elapsed - restarted;

        var last = await load.StopAsync();
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(last, TimeSpan.FromSeconds(30))));
        output.WriteLine(Figure($"Redis SIGKILL for {restarted.TotalSeconds:F2} s, then started | delivery again {recovered.TotalSeconds:F2} s after the start"));
        foreach (var client in clients)
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine(Figure($"Redis SIGKILL and start, 3 instances | {audit}"));
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{cluster.Logs()}");
            Assert.True(audit.Missed > 0, "an outage of Redis loses what was published meanwhile: the test should see a covered loss");
        }
    }

    [Fact]
    public async Task A_leader_whose_Redis_link_goes_silent_gives_up_within_five_seconds_and_the_others_clients_miss_nothing_silently()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var proxy = new TcpProxy(redis.Port);
        var database = await postgres.Server.CreateUniqueDatabaseAsync("redislink");
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events, HubFixture.Other);
        settings.ScaleOut.ChannelPrefix = $"test-{database}";
        settings.ScaleOut.StandbyLockWait = TimeSpan.FromSeconds(2);
        settings.Listener.SubscribeTimeout = LoadedMachineSubscribeTimeout;
        // The first instance reaches Redis through the proxy, the others directly.
        settings.Redis = $"127.0.0.1:{proxy.Port}";
        await using var cut = await HubProcess.StartAsync("hub1", settings);
        settings.Redis = redis.Configuration;
        await using var second = await HubProcess.StartAsync("hub2", settings);
        await using var third = await HubProcess.StartAsync("hub3", settings);
        var instances = new[] { cut, second, third };
        string Logs() => string.Join('\n', instances.Select(static i => $"--- {i.InstanceId}:\n{i.Output}"));

        await using var onCut = await DeliveryLedger.SubscribeAsync(cut.HubUrl, database, HubFixture.Events);
        await Eventually.TrueAsync(async () => await cut.StateOfAsync(database) == "listening", TimeSpan.FromSeconds(15), "the first instance should lead");
        var others = await OneClientPerInstanceAsync(database, [second, third]);
        await using var disposeOthers = new ClientsDisposal(others);
        await using var load = SteadyNotifier.Start(postgres.Server.ConnectionString(database), HubFixture.Events, Pace);
        await Task.WhenAll(others.Append(onCut).Select(c => c.WaitForAsync(20, TimeSpan.FromSeconds(15))));

        proxy.Blackhole();
        var silent = Stopwatch.StartNew();
        var sentAtCut = load.Sent;
        HubProcess? successor = null;
        await Eventually.TrueAsync(async () =>
        {
            foreach (var instance in new[] { second, third })
            {
                if (await instance.StateOfAsync(database) == "listening")
                {
                    successor = instance;
                    return true;
                }
            }

            return false;
        }, TimeSpan.FromSeconds(15), "another instance should take over");
        var takeover = silent.Elapsed;
        await Task.WhenAll(others.Select(c => c.WaitForAsync(sentAtCut + 1, TimeSpan.FromSeconds(15))));
        var recovered = silent.Elapsed;
        output.WriteLine(Figure($"leader's Redis link blackholed | {successor} leads {takeover.TotalSeconds:F2} s after the cut, delivery again after {recovered.TotalSeconds:F2} s"));
        Assert.True(takeover < TimeSpan.FromSeconds(5), $"the takeover took {takeover}.\n{Logs()}");
        Assert.Contains("Giving up the leadership", cut.Output, StringComparison.Ordinal);

        var sentAfter = load.Sent;
        await Eventually.TrueAsync(() => load.Sent > sentAfter + 50, TimeSpan.FromSeconds(10), "notifications should keep flowing");
        var last = await load.StopAsync();
        await Task.WhenAll(others.Select(c => c.WaitForAsync(last, TimeSpan.FromSeconds(30))));
        foreach (var client in others)
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine(Figure($"leader's Redis link blackholed, 3 instances | client on another instance: {audit}"));
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{Logs()}");
        }

        // The cut instance hears nobody: its own clients are told so, every timeout, for as long as it lasts.
        await Eventually.TrueAsync(() => onCut.Resyncs.Count > 0, TimeSpan.FromSeconds(10), "the cut instance's client should get a resync");
        Assert.Equal(0, onCut.Audit(onCut.Highest, load.Times).Duplicates);
    }

    private static async Task<List<DeliveryLedger>> OneClientPerInstanceAsync(string database, IEnumerable<HubProcess> instances)
    {
        var clients = new List<DeliveryLedger>();
        var messagePack = false;
        foreach (var instance in instances)
        {
            clients.Add(await DeliveryLedger.SubscribeAsync(instance.HubUrl, database, HubFixture.Events, messagePack));
            messagePack = !messagePack;
        }

        return clients;
    }

    private sealed class ClientsDisposal(IEnumerable<DeliveryLedger> clients) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Task.WhenAll(clients.Select(static c => c.DisposeAsync().AsTask()));
    }

    private static string Figure(string text)
        => string.Create(CultureInfo.InvariantCulture, $"fault: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} | {text}");
}
