using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Hub.Client;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scaling;

/// <summary>
/// Three Hub.Server processes sharing one redis-server, behind nginx, on one PostgreSQL database: they serve
/// clients as one hub, with exactly one of them listening to the database at a time.
/// </summary>
public sealed class ClusterDeliveryTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_client_on_every_instance_receives_each_notification_once_and_in_order()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync();
        var cluster = fixture.Cluster;
        var clients = new List<RecordingClient>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                // Half JSON, half MessagePack: every instance must serialize a group send for both protocols.
                var client = await RecordingClient.ConnectAsync(cluster.Nginx.HubUrl, messagePack: i % 2 == 1);
                clients.Add(client);
                Assert.Equal(["events"], await client.SubscribeAsync(fixture.Database, "events"));
            }

            foreach (var instance in cluster.Instances)
            {
                Assert.True(await instance.ConnectionsAsync() > 0, $"nginx sent no client to {instance}.");
            }

            await cluster.SettledListenerAsync();
            Assert.Equal((1, 2), await cluster.ListenerConnectionsAsync());
            var listenerPid = Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), fixture.Database));
            Assert.Equal([listenerPid], await cluster.LockHoldersAsync());

            var payloads = Enumerable.Range(0, 500).Select(static i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            await Postgres.NotifyManyAsync(fixture.DatabaseConnectionString, "events", payloads);

            var received = await Task.WhenAll(clients.Select(client => client.NotificationsAsync(500, Receive)));
            foreach (var notifications in received)
            {
                Assert.Equal(payloads, notifications.Select(static n => n.Payload));
            }

            // A duplicate would show up as a 501st notification.
            var extras = await Task.WhenAll(clients.Select(static client => client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500))));
            Assert.DoesNotContain(true, extras);
            Assert.Equal((1, 2), await cluster.ListenerConnectionsAsync());
        }
        finally
        {
            await Task.WhenAll(clients.Select(static client => client.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Killing_the_listening_instance_hands_listening_over_within_two_seconds_and_its_clients_come_back()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync();
        var cluster = fixture.Cluster;
        var clients = new List<WatchedClient>();
        try
        {
            // nginx places each new client by a hash of its affinity cookie: keep adding clients (a dozen at least,
            // 60 at most) until every instance has some, so that both the killed and the surviving side have clients.
            while (clients.Count < 12 || (clients.Count < 60 && !await EveryInstanceHasClientsAsync(cluster)))
            {
                var client = new WatchedClient(new NotificationHubClient(new NotificationHubClientOptions { Url = cluster.Nginx.HubUrl, MaxReconnectDelay = TimeSpan.FromSeconds(1) }));
                clients.Add(client);
                await client.Client.StartAsync(TestContext.Current.CancellationToken);
                await client.Client.SubscribeAsync(fixture.Database, "events", TestContext.Current.CancellationToken);
            }

            foreach (var instance in cluster.Instances)
            {
                Assert.True(await instance.ConnectionsAsync() > 0, $"nginx sent no client to {instance}.");
            }

            var listener = await cluster.SettledListenerAsync();
            var oldPids = await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), fixture.Database);
            Assert.Single(oldPids);

            await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "before");
            await Task.WhenAll(clients.Select(static c => c.WaitForAsync("before")));

            await listener.KillAsync();
            var survivors = cluster.Instances.Where(hub => hub != listener).ToArray();

            // Time the handover from the moment PostgreSQL saw the old listener's connection close.
            DateTime? closedAt = null;
            DateTime? takenAt = null;
            await Eventually.TrueAsync(async () =>
            {
                var pids = await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), fixture.Database);
                if (closedAt is null && !pids.Contains(oldPids[0]))
                {
                    closedAt = DateTime.UtcNow;
                }

                if (closedAt is not null && pids.Length == 1 && pids[0] != oldPids[0])
                {
                    takenAt = DateTime.UtcNow;
                }

                return takenAt is not null;
            }, TimeSpan.FromSeconds(10), "another instance should take over listening");
            Assert.True(takenAt - closedAt < TimeSpan.FromSeconds(2), $"took over {takenAt - closedAt} after the old connection closed.");
            var newListener = await cluster.SettledListenerAsync(survivors);
            Assert.Contains(newListener, survivors);

            var killedClients = clients.Where(static c => c.Disconnects > 0).ToArray();
            var survivingClients = clients.Where(static c => c.Disconnects == 0).ToArray();
            Assert.NotEmpty(killedClients);
            Assert.NotEmpty(survivingClients);

            // Clients of the surviving instances were never disconnected: they hear about the handover and keep receiving.
            await Task.WhenAll(survivingClients.Select(static c => c.WaitForResyncAsync("listener-failover")));
            await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "after-failover");
            await Task.WhenAll(survivingClients.Select(static c => c.WaitForAsync("after-failover")));

            // The killed instance's clients reconnect through nginx to a survivor and resubscribe.
            await Eventually.TrueAsync(() => killedClients.All(static c => c.Reconnects > 0), TimeSpan.FromSeconds(20), "the killed instance's clients should reconnect and resubscribe");
            await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "after-reconnect");
            await Task.WhenAll(clients.Select(static c => c.WaitForAsync("after-reconnect")));

            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            foreach (var client in clients)
            {
                Assert.Equal(client.Payloads.Distinct().Count(), client.Payloads.Count);
            }

            Assert.Equal((1, survivors.Length - 1), await cluster.ListenerConnectionsAsync());
        }
        finally
        {
            await Task.WhenAll(clients.Select(static c => c.Client.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task When_the_listeners_last_subscriber_leaves_listening_moves_and_nothing_arrives_twice()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var (first, second) = (cluster.Instances[0], cluster.Instances[1]);
        await using var leaving = await RecordingClient.ConnectAsync(first.HubUrl);
        await leaving.SubscribeAsync(fixture.Database, "events");
        Assert.Equal(first, await cluster.SettledListenerAsync());

        await using var staying = await RecordingClient.ConnectAsync(second.HubUrl, messagePack: true);
        await staying.SubscribeAsync(fixture.Database, "events");
        await Eventually.TrueAsync(async () => await second.StateOfAsync(fixture.Database) == "standby", TimeSpan.FromSeconds(10), "the second instance should wait as a standby");

        // Notify steadily through the whole handover.
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var sending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", sent.ToString(CultureInfo.InvariantCulture));
                Interlocked.Increment(ref sent);
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(() => Volatile.Read(ref sent) > 20, TimeSpan.FromSeconds(10), "notifications should be flowing");
        await leaving.UnsubscribeAsync(fixture.Database, null);
        await Eventually.TrueAsync(async () => await second.StateOfAsync(fixture.Database) == "listening", TimeSpan.FromSeconds(10), "the second instance should take over");
        var sentBeforeTakeover = Volatile.Read(ref sent);
        await Eventually.TrueAsync(() => Volatile.Read(ref sent) > sentBeforeTakeover + 20, TimeSpan.FromSeconds(10), "notifications should keep flowing");
        await stop.CancelAsync();
        await sending;

        Assert.Equal("idle", await first.StateOfAsync(fixture.Database));
        Assert.Equal((1, 0), await cluster.ListenerConnectionsAsync());
        var resync = await staying.NextResyncAsync();
        Assert.Equal("listener-failover", resync.Reason);

        var total = Volatile.Read(ref sent);
        var received = new List<int>();
        while (received.Count == 0 || received[^1] < total - 1)
        {
            received.Add(int.Parse((await staying.NextNotificationAsync(Receive)).Payload, CultureInfo.InvariantCulture));
        }

        Assert.False(await staying.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
        // In order and never twice; the handover may lose a few (that is what the resync says), nothing after it.
        Assert.Equal(received.Order(), received);
        Assert.Equal(received.Distinct().Count(), received.Count);
        Assert.Equal(Enumerable.Range(sentBeforeTakeover, total - sentBeforeTakeover), received.Where(n => n >= sentBeforeTakeover));
    }

    [Fact]
    public async Task When_the_listeners_database_connection_is_terminated_a_standby_takes_over_and_the_old_listener_waits()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync(2);
        var cluster = fixture.Cluster;
        await using var onFirst = await RecordingClient.ConnectAsync(cluster.Instances[0].HubUrl);
        await onFirst.SubscribeAsync(fixture.Database, "events");
        var listener = await cluster.SettledListenerAsync();
        await using var onSecond = await RecordingClient.ConnectAsync(cluster.Instances[1].HubUrl);
        await onSecond.SubscribeAsync(fixture.Database, "events");
        await Eventually.TrueAsync(async () => await cluster.Instances[1].StateOfAsync(fixture.Database) == "standby", TimeSpan.FromSeconds(10), "the second instance should wait");

        await Postgres.TerminateAsync(postgres.Server.ConnectionString(), Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), fixture.Database)));

        // The standby was blocked on the lock, so it gets it first; the old listener comes back as the standby.
        await Eventually.TrueAsync(async () => await cluster.Instances[1].StateOfAsync(fixture.Database) == "listening", TimeSpan.FromSeconds(10), "the standby should take over");
        await Eventually.TrueAsync(async () => await listener.StateOfAsync(fixture.Database) == "standby", TimeSpan.FromSeconds(10), "the old listener should reconnect as the standby");
        Assert.Equal((1, 1), await cluster.ListenerConnectionsAsync());
        foreach (var client in new[] { onFirst, onSecond })
        {
            Assert.Equal("listener-failover", (await client.NextResyncAsync()).Reason);
        }

        // The old listener, now a standby, sends no resync of its own for its reconnect: the new one covered it.
        foreach (var client in new[] { onFirst, onSecond })
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.NextResyncAsync(TimeSpan.FromMilliseconds(500)));
        }

        await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "after");
        foreach (var client in new[] { onFirst, onSecond })
        {
            Assert.Equal("after", (await client.NextNotificationAsync()).Payload);
            Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
        }
    }

    [Fact]
    public async Task A_listener_without_standby_that_loses_its_connection_takes_the_lock_again_and_sends_resync()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync(1);
        var cluster = fixture.Cluster;
        await using var client = await RecordingClient.ConnectAsync(cluster.Nginx.HubUrl);
        await client.SubscribeAsync(fixture.Database, "events");
        await cluster.SettledListenerAsync();
        var pid = Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), fixture.Database));

        await Postgres.TerminateAsync(postgres.Server.ConnectionString(), pid);

        Assert.Equal("listener-reconnected", (await client.NextResyncAsync()).Reason);
        var newPid = Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), fixture.Database));
        Assert.NotEqual(pid, newPid);
        Assert.Equal([newPid], await cluster.LockHoldersAsync());
        await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "after");
        Assert.Equal("after", (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Redis_going_away_and_coming_back_keeps_every_instance_up_and_resumes_delivery_with_resync()
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync();
        var cluster = fixture.Cluster;
        var clients = new List<RecordingClient>();
        try
        {
            foreach (var instance in cluster.Instances)
            {
                var client = await RecordingClient.ConnectAsync(instance.HubUrl);
                clients.Add(client);
                await client.SubscribeAsync(fixture.Database, "events");
            }

            await cluster.SettledListenerAsync();
            await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "before");
            foreach (var client in clients)
            {
                Assert.Equal("before", (await client.NextNotificationAsync()).Payload);
            }

            await cluster.Redis.StopAsync();
            foreach (var instance in cluster.Instances)
            {
                await Eventually.TrueAsync(async () => (await instance.ReadyAsync()).Body.Contains("Degraded", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(15), $"{instance} should report the backplane as degraded");
                Assert.Equal(200, (await instance.ReadyAsync()).Status);
            }

            await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "during-outage");
            await cluster.Redis.StartServerAsync();

            foreach (var client in clients)
            {
                var resync = await client.NextResyncAsync(TimeSpan.FromSeconds(30));
                Assert.Equal("backplane-reconnected", resync.Reason);
                Assert.Equal(fixture.Database, resync.Database);
            }

            foreach (var instance in cluster.Instances)
            {
                Assert.False(instance.HasExited, $"{instance} exited: {instance.Output}");
                await Eventually.TrueAsync(async () => (await instance.ReadyAsync()).Body == "Healthy", TimeSpan.FromSeconds(15), $"{instance} should be ready again");
            }

            // Delivery resumes: probe until every client hears a probe. A publish made while Redis was away may still
            // go out once it is back (the Redis client queues it): late, after the resync, but never twice.
            var probe = 0;
            var seen = clients.Select(static _ => new List<string>()).ToArray();
            await Eventually.TrueAsync(async () =>
            {
                await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", $"probe-{probe++}");
                for (var i = 0; i < clients.Count; i++)
                {
                    await DrainAsync(clients[i], seen[i], TimeSpan.FromMilliseconds(200));
                }

                return seen.All(static s => s.Any(static p => p.StartsWith("probe-", StringComparison.Ordinal)));
            }, TimeSpan.FromSeconds(20), "delivery should resume on every instance");
            for (var i = 0; i < clients.Count; i++)
            {
                await DrainAsync(clients[i], seen[i], TimeSpan.FromSeconds(1));
                Assert.All(seen[i], static p => Assert.True(p == "during-outage" || p.StartsWith("probe-", StringComparison.Ordinal), p));
                Assert.Equal(seen[i].Distinct().Count(), seen[i].Count);
            }

            await Postgres.NotifyAsync(fixture.DatabaseConnectionString, "events", "after");
            foreach (var client in clients)
            {
                Assert.Equal("after", (await client.NextNotificationAsync()).Payload);
                Assert.False(await client.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(static client => client.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task JavaScript_clients_through_nginx_receive_with_and_without_negotiation()
    {
        var scripts = RepositoryFiles.PathOf("Hub.Tests", "Scaling", "js");
        await ExternalProcess.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], TimeSpan.FromMinutes(3), scripts);
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("scale").StartClusterAsync();
        var cluster = fixture.Cluster;

        var modes = new[] { "negotiate", "skip-negotiation" };
        var nodes = modes.Select(mode => ChildProcess.Start($"node {mode}", "node",
            ["subscribe.mjs", cluster.Nginx.HubUrl.ToString(), mode, fixture.Database, "events", "20"], workingDirectory: scripts)).ToArray();
        try
        {
            foreach (var node in nodes)
            {
                await Eventually.TrueAsync(() => node.Output.Contains("\"event\":\"subscribed\"", StringComparison.Ordinal) || node.HasExited,
                    TimeSpan.FromSeconds(30), $"{node.Name} should subscribe");
                Assert.False(node.HasExited, $"{node.Name} failed: {node.Output}{cluster.Logs()}");
            }

            var payloads = Enumerable.Range(0, 20).Select(static i => $"js-{i}").ToArray();
            await Postgres.NotifyManyAsync(fixture.DatabaseConnectionString, "events", payloads);
            foreach (var node in nodes)
            {
                Assert.True(await node.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, $"{node.Name} failed: {node.Output}{cluster.Logs()}");
                var done = node.Output.Split('\n').Single(static line => line.Contains("\"event\":\"done\"", StringComparison.Ordinal));
                using var json = JsonDocument.Parse(done);
                Assert.Equal(payloads, json.RootElement.GetProperty("payloads").EnumerateArray().Select(static p => p.GetString()));
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task DrainAsync(RecordingClient client, List<string> into, TimeSpan quiet)
    {
        while (await client.ReceivesAnythingWithinAsync(quiet))
        {
            into.Add((await client.NextNotificationAsync()).Payload);
        }
    }

    /// <summary>A <see cref="NotificationHubClient"/> with what it went through recorded for assertions.</summary>
    private sealed class WatchedClient
    {
        private readonly ConcurrentQueue<string> _payloads = new();
        private readonly ConcurrentQueue<string> _resyncs = new();
        private int _disconnects;
        private int _reconnects;

        public WatchedClient(NotificationHubClient client)
        {
            Client = client;
            client.Notification += n => _payloads.Enqueue(n.Payload);
            client.Resync += r => _resyncs.Enqueue(r.Reason);
            client.Disconnected += _ => Interlocked.Increment(ref _disconnects);
            client.Reconnected += () => Interlocked.Increment(ref _reconnects);
        }

        public NotificationHubClient Client { get; }

        public int Disconnects => Volatile.Read(ref _disconnects);

        public int Reconnects => Volatile.Read(ref _reconnects);

        public IReadOnlyList<string> Payloads => [.. _payloads];

        public Task WaitForAsync(string payload)
            => Eventually.TrueAsync(() => _payloads.Contains(payload), Receive, $"a client should receive '{payload}'");

        public Task WaitForResyncAsync(string reason)
            => Eventually.TrueAsync(() => _resyncs.Contains(reason), Receive, $"a client should receive a '{reason}' resync");
    }

    private static async Task<bool> EveryInstanceHasClientsAsync(HubInstances cluster)
    {
        foreach (var instance in cluster.Instances)
        {
            if (await instance.ConnectionsAsync() == 0)
            {
                return false;
            }
        }

        return true;
    }
}
