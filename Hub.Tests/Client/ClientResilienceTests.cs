using System.Text.RegularExpressions;
using Hub.Client;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Client;

/// <summary>The .NET client across hub restarts and faulty handlers: it resubscribes exactly what it has, and carries on.</summary>
public sealed partial class ClientResilienceTests(SharedPostgres postgres)
{
    [Fact]
    public async Task An_unsubscribe_made_while_resubscribing_is_not_undone_by_it()
    {
        var hold = new SubscribeHold();
        var (hub, second) = await StartWithSecondDatabaseAsync(b => b.ConfigureServices(b => b.Services.Configure<HubOptions>(o => o.AddFilter(hold))));
        await using var _ = hub;
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, MaxReconnectDelay = TimeSpan.FromSeconds(1) });
        var client = recorder.Client;
        // Resubscribing goes through the databases in the order they were subscribed: the held one first.
        await client.SubscribeAsync(second, HubFixture.Events, TestContext.Current.CancellationToken);
        await client.SubscribeAsync(hub.Database, null, TestContext.Current.CancellationToken);

        hold.Arm(second);
        await RestartAsync(hub.Hub, client);
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var unsubscribe = client.UnsubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        // Time for an unsubscribe that does not wait for the resubscription to overtake it; one that waits stays blocked.
        await Task.WhenAny(unsubscribe, Task.Delay(500, TestContext.Current.CancellationToken));
        hold.Release();
        await unsubscribe;
        await Eventually.TrueAsync(() => client.State == HubConnectionState.Connected, TimeSpan.FromSeconds(30), "the client reconnects");

        await hub.NotifyAsync(HubFixture.Events, "unsubscribed");
        await hub.NotifyAsync(HubFixture.Other, "marker");
        Assert.Equal(["marker"], (await recorder.NotificationsUntilAsync("marker")).Select(static n => n.Payload));
        Assert.Equal([HubFixture.Other], client.Subscriptions[hub.Database]);
    }

    [Fact]
    [Scenario("handler-isolation")]
    public async Task A_throwing_handler_stops_neither_the_others_nor_delivery_nor_resubscribing_and_is_logged()
    {
        var (hub, second) = await StartWithSecondDatabaseAsync();
        await using var _ = hub;
        var logs = new CapturedLogs();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var recorder = await ClientRecorder.StartAsync(
            new() { Url = hub.HubUrl, MaxReconnectDelay = TimeSpan.FromSeconds(1) },
            loggerFactory,
            client =>
            {
                // Registered before the recorder's handlers, so they run first and a throw would stop the rest.
                client.Notification += static _ => throw new InvalidOperationException("notification handler bug");
                client.Resync += static _ => throw new InvalidOperationException("resync handler bug");
                client.Reconnected += static () => throw new InvalidOperationException("reconnected handler bug");
                client.Reconnected += () => reconnected.TrySetResult();
            });
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = recorder.Client.ReadAllAsync(reading.Token).Take(2).ToListAsync(reading.Token);
        await recorder.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        await recorder.Client.SubscribeAsync(second, HubFixture.Events, TestContext.Current.CancellationToken);

        await hub.NotifyAsync(HubFixture.Events, "one");
        await hub.NotifyAsync(HubFixture.Events, "two");
        Assert.Equal(["one", "two"], (await recorder.NotificationsUntilAsync("two")).Select(static n => n.Payload));
        Assert.Equal(["one", "two"], (await read).Select(static n => n.Payload));

        await RestartAsync(hub.Hub, recorder.Client);
        var resyncs = new[] { await recorder.NextResyncAsync(), await recorder.NextResyncAsync() };
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(new[] { hub.Database, second }.Order(StringComparer.Ordinal), resyncs.Select(static r => r.Database).Order(StringComparer.Ordinal));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(second), HubFixture.Events, "after restart");
        var after = await recorder.NextNotificationAsync();
        Assert.Equal((second, "after restart"), (after.Database, after.Payload));

        var failures = logs.Entries.Where(static e => e.EventId.Id == 5 && e.Level == LogLevel.Error).Select(static e => e.Message).ToArray();
        Assert.Contains(failures, static m => m.Contains("'Notification'", StringComparison.Ordinal));
        Assert.Contains(failures, static m => m.Contains("'Resync'", StringComparison.Ordinal));
        Assert.Contains(failures, static m => m.Contains("'Reconnected'", StringComparison.Ordinal));
    }

    [Fact]
    [Scenario("resubscribe-failed")]
    public async Task A_database_the_restarted_hub_no_longer_serves_raises_ResubscribeFailed_the_others_resync_and_its_window_later_starts_before_the_first_loss()
    {
        var (hub, second) = await StartWithSecondDatabaseAsync();
        await using var _ = hub;
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, MaxReconnectDelay = TimeSpan.FromSeconds(1) });
        await recorder.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        await recorder.Client.SubscribeAsync(second, HubFixture.Events, TestContext.Current.CancellationToken);
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(second), HubFixture.Events, "last before the loss");
        var last = await recorder.NextNotificationAsync();

        await hub.Hub.StopAsync();
        await Eventually.TrueAsync(() => recorder.Client.State != HubConnectionState.Connected, TimeSpan.FromSeconds(10), "the client notices the hub went away");
        await using (var withoutSecond = new HubHost(HubSettings.For(hub.Database, hub.DatabaseConnectionString, HubFixture.Events), hub.Hub.Port))
        {
            await withoutSecond.StartAsync();

            Assert.Equal(second, await recorder.NextResubscribeFailureAsync());
            var resync = await recorder.NextResyncAsync();
            Assert.Equal((hub.Database, ResyncReasons.ClientReconnected), (resync.Database, resync.Reason));
            await hub.NotifyAsync(HubFixture.Events, "still served");
            Assert.Equal("still served", (await recorder.NextNotificationAsync()).Payload);
            await withoutSecond.StopAsync();
        }

        // Served again: nothing of it was delivered while its resubscription had failed, so its window starts before the first loss.
        await Eventually.TrueAsync(() => recorder.Client.State != HubConnectionState.Connected, TimeSpan.FromSeconds(10), "the client notices the hub went away again");
        await hub.Hub.StartAsync();
        var resyncs = new[] { await recorder.NextResyncAsync(), await recorder.NextResyncAsync() };
        var ofSecond = Assert.Single(resyncs, r => r.Database == second);
        Assert.Equal((ResyncReasons.ClientReconnected, last.ReceivedAt), (ofSecond.Reason, ofSecond.Since));
    }

    [Fact]
    public async Task Each_reconnect_attempt_is_logged_at_information_with_its_number_delay_and_reason()
    {
        await using var hub = await HubFixture.For(postgres.Server).StartAsync();
        var logs = new CapturedLogs();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) }, loggerFactory);
        await recorder.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);

        await hub.Hub.StopAsync();
        await Eventually.TrueAsync(() => Attempts(logs).Length >= 3, TimeSpan.FromSeconds(30), "the client logs its reconnect attempts");
        await hub.Hub.StartAsync();
        await recorder.NextResyncAsync();

        var attempts = Attempts(logs);
        Assert.Equal(Enumerable.Range(1, attempts.Length), attempts.Select(static a => a.Number));
        Assert.Equal(TimeSpan.Zero, attempts[0].Delay);
        Assert.All(attempts.Skip(1), static a => Assert.InRange(a.Delay, TimeSpan.FromMilliseconds(125), TimeSpan.FromMilliseconds(500)));
        Assert.All(attempts, static a => Assert.False(string.IsNullOrWhiteSpace(a.Reason)));
    }

    /// <summary>A hub serving a second database (channel 'events') besides the fixture's own.</summary>
    private async Task<(HubFixture Hub, string Second)> StartWithSecondDatabaseAsync(Action<HubFixtureBuilder>? configure = null)
    {
        var second = await postgres.Server.CreateUniqueDatabaseAsync();
        var builder = HubFixture.For(postgres.Server).Configure(s => s.AddDatabase(second, postgres.Server.ConnectionString(second), HubFixture.Events));
        configure?.Invoke(builder);
        return (await builder.StartAsync(), second);
    }

    private static async Task RestartAsync(HubHost hub, NotificationHubClient client)
    {
        await hub.StopAsync();
        await Eventually.TrueAsync(() => client.State != HubConnectionState.Connected, TimeSpan.FromSeconds(10), "the client notices the hub went away");
        await hub.StartAsync();
    }

    private static (int Number, TimeSpan Delay, string Reason)[] Attempts(CapturedLogs logs)
        => [.. logs.Entries
            .Where(static e => e.EventId.Id == 1 && e.Level == LogLevel.Information && e.Category == typeof(NotificationHubClient).FullName)
            .Select(static e => AttemptPattern().Match(e.Message))
            .Where(static m => m.Success)
            .Select(static m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[3].Value))];

    [GeneratedRegex(@"^Reconnect attempt (\d+) to the hub in (\S+) after: (.+)$")]
    private static partial Regex AttemptPattern();
}
