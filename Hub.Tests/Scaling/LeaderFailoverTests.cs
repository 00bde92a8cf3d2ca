using System.Diagnostics;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scaling;

/// <summary>
/// Two Hub.Server processes sharing Redis under a steady NOTIFY load, with a fault applied to the leader: every
/// notification a client misses lies inside a resync it received, none arrives twice or out of order, and the
/// cluster delivers again within the bound the leadership heartbeat sets.
/// </summary>
[Trait("Category", "Faults")]
public sealed class LeaderFailoverTests(SharedPostgres postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task A_frozen_leader_is_fenced_and_replaced_within_five_seconds_and_sends_nothing_stale_when_it_resumes()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("freeze").StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var (leader, standby) = (cluster.Instances[0], cluster.Instances[1]);
        var (onLeader, onStandby) = await LeaderAndStandbyClientsAsync(fixture);
        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        await onStandby.WaitForAsync(20, TimeSpan.FromSeconds(10));

        await leader.PauseAsync();
        var frozen = Stopwatch.StartNew();
        var sentAtFreeze = load.Sent;
        try
        {
            await onStandby.WaitForAsync(sentAtFreeze + 1, TimeSpan.FromSeconds(15));
            var recovered = frozen.Elapsed;
            output.WriteLine($"fault: leader SIGSTOP | delivery again {recovered.TotalSeconds:F2} s after SIGSTOP");
            Assert.True(recovered < TimeSpan.FromSeconds(5.5), $"delivery resumed only {recovered} after the leader froze.\n{cluster.Logs()}");
            Assert.Equal("listening", await standby.StateOfAsync(fixture.Database));

            // Frozen well past its lease, with notifications it had received still queued or in its socket.
            await Eventually.TrueAsync(() => frozen.Elapsed > TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15), "the leader should stay frozen a while");
        }
        finally
        {
            await leader.ResumeAsync();
        }

        await Eventually.TrueAsync(async () => await leader.StateOfAsync(fixture.Database) == "standby", TimeSpan.FromSeconds(20), "the resumed ex-leader should stand by");
        var sentAtResume = load.Sent;
        await Eventually.TrueAsync(() => load.Sent > sentAtResume + 50, TimeSpan.FromSeconds(10), "notifications should keep flowing");
        var last = await load.StopAsync();
        await Task.WhenAll(onLeader.WaitForAsync(last, TimeSpan.FromSeconds(30)), onStandby.WaitForAsync(last, TimeSpan.FromSeconds(30)));

        foreach (var (name, client) in new[] { ("on the ex-leader", onLeader), ("on the new leader", onStandby) })
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine($"fault: leader SIGSTOP 8 s, then SIGCONT | client {name}: {audit}");
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{name}: {audit}\n{cluster.Logs()}");
            Assert.True(audit.Missed > 0, "a freeze of the leader loses what it had not sent: the test should see a covered loss");
        }

        Assert.Contains("sent no heartbeat for", standby.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_listener_connection_dropping_at_once_loses_nothing_silently_whoever_wins_the_lock()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("dropall").StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var clients = new List<DeliveryLedger>();
        foreach (var instance in cluster.Instances)
        {
            clients.Add(await fixture.TrackAsync(DeliveryLedger.SubscribeAsync(instance.HubUrl, fixture.Database, HubFixture.Events)));
            await cluster.SettledListenerAsync();
        }

        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        var admin = postgres.Server.ConnectionString();
        var winners = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            await cluster.SettledListenerAsync();
            await Task.WhenAll(clients.Select(c => c.WaitForAsync(load.Sent, TimeSpan.FromSeconds(15))));
            var listeners = await Postgres.ListenerPidsAsync(admin, fixture.Database);
            var standbys = await Postgres.ListenerPidsAsync(admin, fixture.Database, Hub.Server.Listening.ListenerConnection.DefaultApplicationName + Hub.Server.Scaling.AdvisoryLockLeadership.StandbySuffix);
            Assert.Equal((1, 1), (listeners.Length, standbys.Length));
            await Task.WhenAll(listeners.Concat(standbys).Select(pid => Postgres.TerminateAsync(admin, pid)));
            var sentAtDrop = load.Sent;
            await Task.WhenAll(clients.Select(c => c.WaitForAsync(sentAtDrop + 1, TimeSpan.FromSeconds(15))));
            winners.Add((await cluster.SettledListenerAsync()).InstanceId);
        }

        var last = await load.StopAsync();
        await Task.WhenAll(clients.Select(c => c.WaitForAsync(last, TimeSpan.FromSeconds(30))));
        output.WriteLine($"fault: pg_terminate_backend of every listener, 3 rounds | leaders after each: {string.Join(", ", winners)}");
        foreach (var client in clients)
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine($"fault: pg_terminate_backend of every listener, 3 rounds | {audit}");
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{cluster.Logs()}");
        }
    }

    [Fact]
    public async Task SIGTERM_hands_leadership_over_at_once_drops_nothing_silently_tells_clients_to_reconnect_and_exits_in_its_bound()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("sigterm")
            .Configure(static settings => settings.Delivery.ShutdownTimeout = TimeSpan.FromSeconds(3))
            .StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var (leader, standby) = (cluster.Instances[0], cluster.Instances[1]);
        var (onLeader, onStandby) = await LeaderAndStandbyClientsAsync(fixture);
        // The stopping instance's client as a deployment has it: behind a balancer, with the hub's own client, which
        // reconnects to the other instance, resubscribes and says what it may have missed.
        await using var balancer = new TcpProxy(leader.Port);
        var following = await fixture.TrackAsync(DeliveryLedger.FollowAsync(new Uri($"http://127.0.0.1:{balancer.Port}/hubs/notifications"), fixture.Database, HubFixture.Events));
        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        await onStandby.WaitForAsync(20, TimeSpan.FromSeconds(10));
        await following.WaitForAsync(20, TimeSpan.FromSeconds(10));

        balancer.Retarget(standby.Port);
        var stopping = Stopwatch.StartNew();
        var terminate = leader.TerminateAsync(TimeSpan.FromSeconds(30));
        var sentAtStop = load.Sent;
        await onStandby.WaitForAsync(sentAtStop + 1, TimeSpan.FromSeconds(15));
        var recovered = stopping.Elapsed;
        await terminate;
        var exited = stopping.Elapsed;
        output.WriteLine($"fault: leader SIGTERM | delivery again {recovered.TotalSeconds:F2} s after it, exited after {exited.TotalSeconds:F2} s");
        Assert.True(leader.HasExited);
        Assert.True(exited < TimeSpan.FromSeconds(3 + 5), $"the stopping instance took {exited} to exit.\n{cluster.Logs()}");
        Assert.True(recovered < TimeSpan.FromSeconds(3), $"delivery resumed only {recovered} after SIGTERM.\n{cluster.Logs()}");
        await Eventually.TrueAsync(() => onLeader.Reconnecting > 0, TimeSpan.FromSeconds(10), "the stopping instance's client should be told to reconnect");
        await Eventually.TrueAsync(() => following.Reconnecting > 0, TimeSpan.FromSeconds(10), "the stopping instance's followed client should reconnect");

        var sentAfter = load.Sent;
        await Eventually.TrueAsync(() => load.Sent > sentAfter + 50, TimeSpan.FromSeconds(10), "notifications should keep flowing");
        var last = await load.StopAsync();
        await Task.WhenAll(onStandby.WaitForAsync(last, TimeSpan.FromSeconds(30)), following.WaitForAsync(last, TimeSpan.FromSeconds(30)));
        foreach (var (client, which) in new[] { (onStandby, "client on the new leader"), (following, "the stopping instance's client, reconnected to the new leader") })
        {
            var audit = client.Audit(last, load.Times);
            output.WriteLine($"fault: leader SIGTERM | {which}: {audit}");
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{which}: {audit}\n{cluster.Logs()}");
        }
    }

    /// <summary>A client on the first instance, which leads, and one on the second, which stands by.</summary>
    internal static async Task<(DeliveryLedger OnLeader, DeliveryLedger OnStandby)> LeaderAndStandbyClientsAsync(HubFixture fixture)
    {
        var (leader, standby) = (fixture.Cluster.Instances[0], fixture.Cluster.Instances[1]);
        var onLeader = await fixture.TrackAsync(DeliveryLedger.SubscribeAsync(leader.HubUrl, fixture.Database, HubFixture.Events));
        Assert.Equal(leader, await fixture.Cluster.SettledListenerAsync());
        var onStandby = await fixture.TrackAsync(DeliveryLedger.SubscribeAsync(standby.HubUrl, fixture.Database, HubFixture.Events, messagePack: true));
        await Eventually.TrueAsync(async () => await standby.StateOfAsync(fixture.Database) == "standby", TimeSpan.FromSeconds(10), "the second instance should stand by");
        return (onLeader, onStandby);
    }
}
