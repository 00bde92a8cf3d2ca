using System.Net.Http.Json;
using System.Text.Json;
using Hub.Server.Contracts;
using Hub.Server.Subscriptions;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using I = Hub.Server.Telemetry.HubDiagnostics.Instruments;
using A = Hub.Server.Telemetry.HubDiagnostics.Attributes;

namespace Hub.Tests.Telemetry;

public sealed class HubMetricsTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Subscribe_notify_and_unsubscribe_move_the_hub_metrics()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var metrics = RecorderFor(scenario);
        var db = (A.Database, (object?)scenario.Database);

        var client = await scenario.ConnectAsync();
        // SignalR answers the handshake before it runs OnConnectedAsync, so the client can be connected a moment
        // before the hub counts it.
        await Eventually.TrueAsync(() => metrics.ObserveValue(I.Connections) == 1, Timeout, "the connection is counted");

        await client.SubscribeAsync(scenario.Database, HubFixture.Events);
        await client.SubscribeAsync(scenario.Database, HubFixture.Other);
        Assert.Equal(1, metrics.ObserveValue(I.Subscribers, db));
        Assert.Equal(2, metrics.ObserveValue(I.Subscriptions, db));
        Assert.Equal(1, metrics.ObserveValue(I.Listeners, db, (A.ListenerState, "listening")));
        Assert.Equal(0, metrics.ObserveValue(I.Listeners, db, (A.ListenerState, "reconnecting")));

        await Postgres.NotifyManyAsync(scenario.DatabaseConnectionString, HubFixture.Events, ["a", "żółć", "0123456789"]);
        await client.NotificationsAsync(3);

        Assert.Equal(3, metrics.ObserveValue(I.NotificationsReceived, db));
        await Eventually.TrueAsync(() => metrics.Sum(I.MessagesSent, db, (A.MessageType, "notification")) == 3, Timeout, "three notification sends counted");
        Assert.Equal(3, metrics.Recorded(I.FanoutDuration).Count(m => Equals(m.Tag(A.Database), scenario.Database)));
        Assert.All(metrics.Recorded(I.FanoutDuration), m => Assert.InRange(m.Value, 0, 10));
        Assert.Equal([1d, 8, 10], metrics.Recorded(I.PayloadSize).Where(m => Equals(m.Tag(A.Database), scenario.Database)).Select(m => m.Value).Order());
        Assert.Equal(0, metrics.ObserveValue(I.DeliveriesPending, db));

        await client.UnsubscribeAsync(scenario.Database, HubFixture.Events);
        Assert.Equal(1, metrics.ObserveValue(I.Subscriptions, db));
        await client.UnsubscribeAsync(scenario.Database, null);
        Assert.Equal(0, metrics.ObserveValue(I.Subscribers, db));
        Assert.Equal(0, metrics.ObserveValue(I.Subscriptions, db));

        await client.Connection.StopAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => metrics.ObserveValue(I.Connections) == 0, Timeout, "the closed connection is no longer counted");
    }

    [Fact]
    public async Task Stats_report_the_numbers_the_metrics_report()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var metrics = RecorderFor(scenario);
        var db = (A.Database, (object?)scenario.Database);
        var client = await scenario.SubscribedClientAsync(channel: null);
        await scenario.SubscribedClientAsync(HubFixture.Other);
        await Postgres.NotifyManyAsync(scenario.DatabaseConnectionString, HubFixture.Events, ["1", "2"]);
        await client.NotificationsAsync(2);

        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        var stats = await http.GetFromJsonAsync<JsonElement>("/api/stats", TestContext.Current.CancellationToken);
        var database = stats.GetProperty("databases").GetProperty(scenario.Database);

        Assert.Equal(stats.GetProperty("connections").GetInt64(), metrics.ObserveValue(I.Connections));
        Assert.Equal(database.GetProperty("subscribers").GetInt32(), metrics.ObserveValue(I.Subscribers, db));
        Assert.Equal(database.GetProperty("subscriptions").GetInt32(), metrics.ObserveValue(I.Subscriptions, db));
        Assert.Equal(database.GetProperty("notificationsReceived").GetInt64(), metrics.ObserveValue(I.NotificationsReceived, db));
        Assert.Equal(database.GetProperty("reconnects").GetInt64(), metrics.ObserveValue(I.ListenerReconnects, db));
        Assert.Equal(1, metrics.ObserveValue(I.Listeners, db, (A.ListenerState, database.GetProperty("state").GetString())));
        Assert.Equal((2, 3, 2), (database.GetProperty("subscribers").GetInt32(), database.GetProperty("subscriptions").GetInt32(), database.GetProperty("notificationsReceived").GetInt32()));
    }

    [Fact]
    public async Task Listener_kill_counts_a_reconnect_and_a_resync()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var metrics = RecorderFor(scenario);
        var db = (A.Database, (object?)scenario.Database);
        var client = await scenario.SubscribedClientAsync();
        Assert.Equal(0, metrics.ObserveValue(I.ListenerReconnects, db));
        Assert.Contains(metrics.Recorded(I.ResyncsSent), m => m.Value == 0 && Equals(m.Tag(A.Database), scenario.Database) && Equals(m.Tag(A.ResyncReason), "listener-reconnected"));

        var pid = Assert.Single(await scenario.ListenerPidsAsync());
        await Postgres.TerminateAsync(scenario.Postgres.ConnectionString(), pid);
        await client.NextResyncAsync();

        Assert.Equal(1, metrics.ObserveValue(I.ListenerReconnects, db));
        await Eventually.TrueAsync(() => metrics.Sum(I.ResyncsSent, db, (A.ResyncReason, "listener-reconnected")) == 1, Timeout, "the resync is counted with its reason");
        Assert.Equal(1, metrics.Sum(I.MessagesSent, db, (A.MessageType, "resync")));
        // The resync is queued as soon as the connection is back; the channels are LISTENed on right after.
        await Eventually.TrueAsync(() => metrics.ObserveValue(I.Listeners, db, (A.ListenerState, "listening")) == 1, Timeout, "the listener listens again");
    }

    [Fact]
    public async Task Refused_calls_are_counted_by_reason_and_the_connection_carries_on()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var metrics = RecorderFor(scenario);
        var client = await scenario.ConnectAsync();
        var other = await scenario.SubscribedClientAsync();

        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("no_such_database", null));
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(scenario.Database, "not_allowed"));
        await Assert.ThrowsAsync<HubException>(() => client.UnsubscribeAsync(scenario.Database, string.Empty));

        Assert.Equal(1, metrics.Sum(I.CallsRejected, (A.RejectionReason, Refusals.Reasons.DatabaseNotAvailable)));
        Assert.Equal(2, metrics.Sum(I.CallsRejected, (A.RejectionReason, Refusals.Reasons.ChannelNotAllowed)));
        Assert.All(metrics.Recorded(I.CallsRejected), m => Assert.Null(m.Tag(A.Database)));

        await client.SubscribeAsync(scenario.Database, HubFixture.Events);
        await scenario.NotifyAsync(HubFixture.Events, "still served");
        Assert.Equal("still served", (await client.NextNotificationAsync()).Payload);
        Assert.Equal("still served", (await other.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Without_the_database_attribute_metrics_add_up_over_databases()
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(s => s.Telemetry.DatabaseNameAttribute = false).StartAsync();
        using var metrics = RecorderFor(scenario);
        var client = await scenario.SubscribedClientAsync(channel: null);
        await scenario.NotifyAsync(HubFixture.Other, "x");
        await client.NextNotificationAsync();

        Assert.Equal(2, metrics.ObserveValue(I.Subscriptions));
        Assert.Equal(1, metrics.ObserveValue(I.Listeners, (A.ListenerState, "listening")));
        Assert.Equal(0, metrics.ObserveValue(I.Listeners, (A.ListenerState, "idle")));
        Assert.Equal(1, metrics.ObserveValue(I.NotificationsReceived));
        await Eventually.TrueAsync(() => metrics.Sum(I.MessagesSent) == 1, Timeout, "the send is counted");
        Assert.All(
            metrics.Observe(I.Subscribers).Concat(metrics.Recorded(I.MessagesSent)).Concat(metrics.Recorded(I.PayloadSize)),
            m => Assert.False(m.Tags.ContainsKey(A.Database)));
    }

    [Fact]
    public async Task A_notification_trace_ratio_outside_zero_to_one_fails_startup_naming_the_key()
    {
        var settings = HubSettings.For("app", postgres.Server.ConnectionString(), "events");
        settings.Telemetry.NotificationTraceRatio = 1.5;
        await using var host = new HubHost(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains("Hub:Telemetry:NotificationTraceRatio", error.Message, StringComparison.Ordinal);
    }

    private static MetricRecorder RecorderFor(HubFixture scenario)
        => new(scenario.Hub.Services.GetRequiredService<HubMetrics>().Meter);
}
