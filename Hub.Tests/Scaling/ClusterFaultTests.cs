using System.Diagnostics;
using System.Globalization;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scaling;

/// <summary>
/// Faults of a whole deployment (hub processes sharing Redis behind nginx, with the official .NET client) under
/// numbered NOTIFYs: a leader killed with a delivery backlog, a rolling restart, a PostgreSQL restart. Every
/// notification a client misses must lie inside a resync it received; nothing may arrive twice or out of order.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ClusterFaultTests(SharedPostgres postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task Killing_the_leader_with_a_delivery_backlog_loses_nothing_silently()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("killbacklog").StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var (leader, standby) = (cluster.Instances[0], cluster.Instances[1]);
        var (_, onStandby) = await LeaderFailoverTests.LeaderAndStandbyClientsAsync(fixture);
        await fixture.NotifyAsync(HubFixture.Events, "0");
        await onStandby.WaitForAsync(0, TimeSpan.FromSeconds(10));

        // One transaction hands the leader far more than it sends in a moment; it dies with most of it queued.
        const int Flood = 20_000;
        await Postgres.NotifyBurstAsync(fixture.DatabaseConnectionString, HubFixture.Events, Flood);
        await Eventually.TrueAsync(() => onStandby.Highest > 0, TimeSpan.FromSeconds(15), "the flood should start arriving");
        await leader.KillAsync();
        var killed = Stopwatch.StartNew();
        var highestAtKill = onStandby.Highest;

        await Eventually.TrueAsync(async () => await standby.StateOfAsync(fixture.Database) == "listening", TimeSpan.FromSeconds(15), "the standby should take over");
        var tookOver = killed.Elapsed;
        var after = Enumerable.Range(Flood + 1, 20).Select(static i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        await Postgres.NotifyManyAsync(fixture.DatabaseConnectionString, HubFixture.Events, after);
        const int Last = Flood + 20;
        await onStandby.WaitForAsync(Last, TimeSpan.FromSeconds(60));

        var audit = onStandby.Audit(Last);
        output.WriteLine($"fault: leader kill -9 with a backlog ({highestAtKill} of {Flood} delivered at the kill) | took over {tookOver.TotalSeconds:F2} s after | client on the new leader: {audit}");
        Assert.True(highestAtKill < Flood, "the leader should have died with a backlog: the test proves nothing otherwise");
        Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{cluster.Logs()}");
    }

    [Fact]
    public async Task A_rolling_restart_behind_nginx_loses_nothing_silently()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("rolling")
            .Configure(static settings =>
            {
                settings.Delivery.ShutdownTimeout = TimeSpan.FromSeconds(2);
                settings.Listener.SubscribeTimeout = EnvelopeChannelFaultTests.LoadedMachineSubscribeTimeout;
            })
            .StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var clients = new List<DeliveryLedger>();
        for (var i = 0; i < 4; i++)
        {
            // Through nginx, with negotiation, with the hub's own client, which comes back and says what it may have missed.
            clients.Add(await fixture.TrackAsync(DeliveryLedger.FollowAsync(cluster.Nginx.HubUrl, fixture.Database, HubFixture.Events, messagePack: i % 2 == 1)));
        }

        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        await Task.WhenAll(clients.Select(static c => c.WaitForAsync(10, TimeSpan.FromSeconds(15))));
        var rolling = Stopwatch.StartNew();
        for (var index = 0; index < cluster.Instances.Count; index++)
        {
            await cluster.RestartAsync(index, TimeSpan.FromSeconds(10));
            var sentAfterRestart = load.Sent;
            try
            {
                await Task.WhenAll(clients.Select(c => c.WaitForAsync(sentAfterRestart, TimeSpan.FromSeconds(45))));
            }
            catch (Xunit.Sdk.FailException ex)
            {
                Assert.Fail($"{ex.Message} after restarting instance {index}; clients: {string.Join("; ", clients.Select(static c => c.Audit(c.Highest)))}\n{cluster.Logs()}");
            }
        }

        var rolled = rolling.Elapsed;
        var last = await load.StopAsync();
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(last, TimeSpan.FromSeconds(30))));
        foreach (var client in clients)
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine($"fault: rolling restart of 2 instances behind nginx ({rolled.TotalSeconds:F1} s) | {audit}");
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{cluster.Logs()}");
        }
    }

    [Fact]
    public async Task A_postgres_restart_under_load_loses_nothing_silently_on_any_instance()
    {
        // A server of its own: the shared one serves the other tests while this one restarts.
        await using var server = await PostgresServer.StartAsync();
        await using var fixture = await HubFixture.For(server).WithDatabasePrefix("pgrestart").StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var clients = new List<DeliveryLedger>();
        foreach (var instance in cluster.Instances)
        {
            clients.Add(await fixture.TrackAsync(DeliveryLedger.SubscribeAsync(instance.HubUrl, fixture.Database, HubFixture.Events)));
            await cluster.SettledListenerAsync();
        }

        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        await Task.WhenAll(clients.Select(static c => c.WaitForAsync(10, TimeSpan.FromSeconds(15))));
        var restart = Stopwatch.StartNew();
        await server.RestartAsync();
        var restarted = restart.Elapsed;
        var sentAfterRestart = load.Sent;
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(sentAfterRestart + 1, TimeSpan.FromSeconds(30))));
        var recovered = restart.Elapsed;
        await cluster.SettledListenerAsync(timeout: TimeSpan.FromSeconds(30));

        var last = await load.StopAsync();
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(last, TimeSpan.FromSeconds(30))));
        foreach (var client in clients)
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine($"fault: PostgreSQL restart (down {restarted.TotalSeconds:F2} s) | delivery again {recovered.TotalSeconds:F2} s after it began | {audit}");
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{cluster.Logs()}");
        }
    }
}
