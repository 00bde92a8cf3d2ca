using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Hub.Client;
using Hub.Server.Delivery;
using Hub.Server.Hubs;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Delivery;

public sealed class SlowConsumerTests(SharedPostgres postgres)
{
    private const int MaxBufferedBytes = 128 * 1024;
    private const int PayloadLength = 2000;
    private const int Batch = 25;

    [Fact]
    public async Task Client_that_stops_reading_never_delays_the_others_and_is_disconnected_over_the_bound()
    {
        var logs = new CapturedLogs();
        await using var scenario = await StartAsync(logs);

        await PausedClientAmongOthersAsync(scenario.Hub, [scenario.Hub], scenario.Database, scenario.DatabaseConnectionString, logs);
    }

    [Fact]
    public async Task With_redis_a_client_that_stops_reading_never_delays_the_others_on_any_instance()
    {
        await using var redis = await RedisServer.StartAsync();
        var database = await postgres.Server.CreateUniqueDatabaseAsync("slow");
        var connectionString = postgres.Server.ConnectionString(database);
        var settings = HubSettings.For(database, connectionString, HubFixture.Events);
        settings.Redis = redis.Configuration;
        settings.ScaleOut.ChannelPrefix = $"test-{database}";
        settings.Delivery.MaxBufferedBytesPerConnection = MaxBufferedBytes;
        var logs = new CapturedLogs();
        await using var first = await HubHost.StartAsync(settings, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        await using var second = await HubHost.StartAsync(settings);

        // Every notification reaches both instances through Redis, whichever of them listens to the database.
        await PausedClientAmongOthersAsync(first, [first, second], database, connectionString, logs);

        using var http = new HttpClient { BaseAddress = first.BaseUrl };
        using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/stats", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.True(stats.RootElement.GetProperty("backplane").GetProperty("connected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, stats.RootElement.GetProperty("backplane").GetProperty("downSince").ValueKind);
    }

    /// <summary>
    /// One paused subscriber on <paramref name="pausedHub"/>, 100 others spread over <paramref name="hubs"/>:
    /// the others get everything while the paused one fills up and after it is disconnected over the bound.
    /// </summary>
    private static async Task PausedClientAmongOthersAsync(HubHost pausedHub, HubHost[] hubs, string database, string connectionString, CapturedLogs logs)
    {
        var monitor = pausedHub.Services.GetRequiredService<SlowConsumerMonitor>();
        var connections = pausedHub.Services.GetRequiredService<ConnectionCounter>();
        await using var paused = await PausedHubClient.SubscribeAsync(pausedHub.HubUrl, database, HubFixture.Events);
        var others = await SubscribeManyAsync(hubs, database, 100);
        try
        {
            var received = others.ToDictionary(c => c, _ => new List<string>());
            var sent = new List<string>();
            var expectedHere = connections.Current;

            // Until the paused client's transport and socket are full, the hub has nothing to hold for it.
            await SendUntilAsync(connectionString, sent, () => monitor.BufferingConnections > 0, "the paused client's transport never filled up", () => AllReceiveAsync(received, sent));

            // It is still connected, within its bound, and the others already have everything sent so far.
            await AllReceiveAsync(received, sent);
            Assert.Equal(0, monitor.DisconnectedConnections);
            Assert.Equal(expectedHere, connections.Current);

            // Past the bound it is disconnected, with the reason logged; the others carry on and miss nothing.
            await SendUntilAsync(connectionString, sent, () => monitor.DisconnectedConnections > 0, "the paused client was never disconnected");
            await SendBatchAsync(connectionString, sent);
            await AllReceiveAsync(received, sent);

            var warning = Assert.Single(logs.Entries, e => e.EventId.Name == "SlowConsumerDisconnected");
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("slow consumer", warning.Message, StringComparison.Ordinal);
            Assert.Contains("Hub:Delivery:MaxBufferedBytesPerConnection", warning.Message, StringComparison.Ordinal);
            await Eventually.TrueAsync(
                () => connections.Current == expectedHere - 1,
                TimeSpan.FromSeconds(15), "the hub still counts the slow client as connected");

            // Its socket really is closed: reading now drains what the kernel held and then ends.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await paused.ResumeAsync(timeout.Token);
            Assert.False(timeout.IsCancellationRequested);
            Assert.True(paused.Payloads.Count < sent.Count, "the slow client cannot have received everything");
            Assert.Equal(sent.Take(paused.Payloads.Count), paused.Payloads);
        }
        finally
        {
            foreach (var client in others)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Client_that_falls_behind_within_the_bound_catches_up_with_everything_in_order()
    {
        await using var scenario = await StartAsync(new CapturedLogs());
        var monitor = scenario.Hub.Services.GetRequiredService<SlowConsumerMonitor>();
        await using var paused = await PausedHubClient.SubscribeAsync(scenario.Hub.HubUrl, scenario.Database, HubFixture.Events);
        var other = await scenario.SubscribedClientAsync();
        var received = new Dictionary<RecordingClient, List<string>> { [other] = [] };
        var sent = new List<string>();

        await SendUntilAsync(scenario.DatabaseConnectionString, sent, () => monitor.BufferingConnections > 0, "the paused client's transport never filled up", () => AllReceiveAsync(received, sent));
        await SendBatchAsync(scenario.DatabaseConnectionString, sent);
        using var reading = new CancellationTokenSource();
        var resumed = paused.ResumeAsync(reading.Token);

        await Eventually.TrueAsync(() => paused.Payloads.Count >= sent.Count, TimeSpan.FromSeconds(15), "the paused client never caught up");
        Assert.Equal(sent, paused.Payloads);
        await AllReceiveAsync(received, sent);
        Assert.Equal(0, monitor.DisconnectedConnections);
        await Eventually.TrueAsync(() => monitor.BufferingConnections == 0, TimeSpan.FromSeconds(5), "the hub still buffers for a client that caught up");

        // Back on the direct path, later notifications still arrive in order.
        await SendBatchAsync(scenario.DatabaseConnectionString, sent);
        await Eventually.TrueAsync(() => paused.Payloads.Count >= sent.Count, TimeSpan.FromSeconds(10), "notifications after catching up never arrived");
        Assert.Equal(sent, paused.Payloads);
        await reading.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resumed);
    }

    [Fact]
    public async Task Client_disconnected_as_a_slow_consumer_reconnects_resubscribes_and_gets_a_resync()
    {
        await using var scenario = await StartAsync(new CapturedLogs());
        var monitor = scenario.Hub.Services.GetRequiredService<SlowConsumerMonitor>();
        await using var proxy = new TcpProxy(scenario.Hub.Port);
        await using var client = new NotificationHubClient(new()
        {
            Url = new Uri($"http://127.0.0.1:{proxy.Port}/hubs/notifications"),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
        });
        var resyncs = Channel.CreateUnbounded<HubResync>();
        var notifications = Channel.CreateUnbounded<HubNotification>();
        client.Resync += r => resyncs.Writer.TryWrite(r);
        client.Notification += n => notifications.Writer.TryWrite(n);
        await client.StartAsync(TestContext.Current.CancellationToken);
        await client.SubscribeAsync(scenario.Database, HubFixture.Events, TestContext.Current.CancellationToken);

        // The client's network stops taking data: the hub fills its socket, then its bound, then disconnects it.
        proxy.PauseServerReads();
        await SendUntilAsync(scenario.DatabaseConnectionString, [], () => monitor.DisconnectedConnections > 0, "the stalled client was never disconnected");
        proxy.ResumeServerReads();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var resync = await resyncs.Reader.ReadAsync(timeout.Token);
        Assert.Equal((scenario.Database, HubResync.ClientReconnected), (resync.Database, resync.Reason));
        Assert.Equal([HubFixture.Events], client.Subscriptions[scenario.Database]);

        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/stats", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.Equal(1, stats.RootElement.GetProperty("delivery").GetProperty("slowConsumersDisconnected").GetInt64());

        // Resubscribed: what is sent from now on arrives.
        await scenario.NotifyAsync(HubFixture.Events, "after the resync");
        while ((await notifications.Reader.ReadAsync(timeout.Token)).Payload != "after the resync")
        {
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000")]
    [InlineData("-5")]
    public async Task Too_small_a_bound_fails_startup_naming_the_key(string value)
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events);
        settings.Raw["Hub:Delivery:MaxBufferedBytesPerConnection"] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubHost.StartAsync(settings));

        Assert.Contains("Hub:Delivery:MaxBufferedBytesPerConnection", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hub:Delivery:SlowConsumerTimeout", "00:00:00", "Hub:Delivery:SlowConsumerTimeout must be positive")]
    [InlineData("Hub:Delivery:SlowConsumerTimeout", "-00:00:01", "Hub:Delivery:SlowConsumerTimeout must be positive")]
    [InlineData("Hub:Delivery:HardMaxBufferedBytesPerConnection", "65536", "Hub:Delivery:HardMaxBufferedBytesPerConnection must be at least Hub:Delivery:MaxBufferedBytesPerConnection")]
    public async Task Bad_progress_rule_fails_startup_naming_the_key(string key, string value, string message)
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events);
        settings.Raw[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubHost.StartAsync(settings));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private Task<HubFixture> StartAsync(CapturedLogs logs)
        => HubFixture.For(postgres.Server)
            .Configure(settings => settings.Delivery.MaxBufferedBytesPerConnection = MaxBufferedBytes)
            .ConfigureServices(builder => builder.Services.AddSingleton<ILoggerProvider>(logs))
            .StartAsync();

    private static async Task<RecordingClient[]> SubscribeManyAsync(HubHost[] hubs, string database, int count)
    {
        var clients = new List<RecordingClient>(count);
        foreach (var chunk in Enumerable.Range(0, count).Chunk(20))
        {
            clients.AddRange(await Task.WhenAll(chunk.Select(async i =>
            {
                var client = await RecordingClient.ConnectAsync(hubs[i % hubs.Length].HubUrl);
                await client.SubscribeAsync(database, HubFixture.Events);
                return client;
            })));
        }

        return [.. clients];
    }

    private static async Task SendUntilAsync(string connectionString, List<string> sent, Func<bool> condition, string because, Func<Task>? settle = null)
    {
        // Bounded: far more than the socket buffers, the transport and the hub's bound can hold together.
        for (var batches = 0; !condition(); batches++)
        {
            Assert.True(batches < 400, because);
            await SendBatchAsync(connectionString, sent);
            if (settle is not null)
            {
                // Once the clients that keep reading have everything, the hub has handed every notification to every
                // connection, so the condition sees where the slow one really stands: on a busy machine the hub can
                // lag several batches behind the sender and would otherwise overshoot the point being tested.
                await settle();
            }

            for (var polls = 0; polls < 5 && !condition(); polls++)
            {
                await Task.Delay(20);
            }
        }
    }

    private static Task SendBatchAsync(string connectionString, List<string> sent)
    {
        var payloads = Enumerable.Range(sent.Count, Batch)
            .Select(i => i.ToString("D8", CultureInfo.InvariantCulture) + new string('x', PayloadLength))
            .ToArray();
        sent.AddRange(payloads);
        return Postgres.NotifyManyAsync(connectionString, HubFixture.Events, payloads);
    }

    private static async Task AllReceiveAsync(Dictionary<RecordingClient, List<string>> received, List<string> sent)
    {
        await Task.WhenAll(received.Select(async pair =>
        {
            var more = await pair.Key.NotificationsAsync(sent.Count - pair.Value.Count, TimeSpan.FromSeconds(30));
            pair.Value.AddRange(more.Select(n => n.Payload));
        }));
        foreach (var payloads in received.Values)
        {
            Assert.Equal(sent, payloads);
        }
    }
}
