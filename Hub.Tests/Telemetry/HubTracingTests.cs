using System.Diagnostics;
using Hub.Server.Contracts;
using Hub.Server.Subscriptions;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using A = Hub.Server.Telemetry.HubDiagnostics.Attributes;
using N = Hub.Server.Telemetry.HubDiagnostics.Activities;

namespace Hub.Tests.Telemetry;

public sealed class HubTracingTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Subscribe_is_traced_with_its_database_channel_and_result_and_its_listener_connect()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var activities = new ActivityRecorder(scenario.Database);
        var client = await scenario.ConnectAsync();

        await client.SubscribeAsync(scenario.Database, HubFixture.Events);
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(scenario.Database, "not_allowed"));
        await client.UnsubscribeAsync(scenario.Database, null);

        var subscribes = activities.Stopped(N.Subscribe);
        Assert.Equal(2, subscribes.Count);
        var ok = subscribes.Single(a => a.GetTagItem(A.Result) as string == "ok");
        Assert.Equal(HubFixture.Events, ok.GetTagItem(A.Channel));
        Assert.Equal(1, ok.GetTagItem(A.ChannelCount));
        Assert.NotEqual(ActivityStatusCode.Error, ok.Status);
        var refused = subscribes.Single(a => a != ok);
        Assert.Equal(Refusals.Reasons.ChannelNotAllowed, refused.GetTagItem(A.Result));
        Assert.Equal("not_allowed", refused.GetTagItem(A.Channel));
        Assert.Equal(ActivityStatusCode.Error, refused.Status);

        var connect = Assert.Single(activities.Stopped(N.ListenerConnect));
        Assert.Equal(1, connect.GetTagItem(A.Attempt));
        Assert.Equal((await scenario.ListenerPidsAsync()).Single(), connect.GetTagItem(A.ProcessId));
        Assert.Equal(ok.TraceId, connect.TraceId);

        var unsubscribe = Assert.Single(activities.Stopped(N.Unsubscribe));
        Assert.Equal("ok", unsubscribe.GetTagItem(A.Result));
        Assert.Null(unsubscribe.GetTagItem(A.Channel));
    }

    [Fact]
    public async Task Listener_reconnect_is_one_trace_from_the_loss_to_the_new_connection()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var activities = new ActivityRecorder(scenario.Database);
        var client = await scenario.SubscribedClientAsync();
        var killed = Assert.Single(await scenario.ListenerPidsAsync());
        var subscribe = Assert.Single(activities.Stopped(N.Subscribe));

        await Postgres.TerminateAsync(scenario.Postgres.ConnectionString(), killed);
        var resync = await client.NextResyncAsync();

        await Eventually.TrueAsync(() => activities.Stopped(N.ListenerReconnect).Count == 1, Timeout, "the outage activity ends once reconnected");
        var outage = Assert.Single(activities.Stopped(N.ListenerReconnect));
        Assert.Equal(ActivityStatusCode.Ok, outage.Status);
        Assert.NotEqual(subscribe.TraceId, outage.TraceId);
        Assert.Null(outage.ParentId);
        Assert.Contains(outage.Events, e => e.Name == "connection lost");
        Assert.Equal(resync.Since, DateTime.Parse((string)outage.GetTagItem(A.ResyncSince)!, null, System.Globalization.DateTimeStyles.RoundtripKind));
        Assert.Equal(resync.Until, DateTime.Parse((string)outage.GetTagItem(A.ResyncUntil)!, null, System.Globalization.DateTimeStyles.RoundtripKind));

        var reconnect = Assert.Single(activities.Stopped(N.ListenerConnect), a => a.ParentSpanId == outage.SpanId);
        Assert.Equal(outage.TraceId, reconnect.TraceId);
        Assert.Equal((await scenario.ListenerPidsAsync()).Single(), reconnect.GetTagItem(A.ProcessId));
        Assert.NotEqual(killed, reconnect.GetTagItem(A.ProcessId));
    }

    [Fact]
    public async Task Notifications_are_not_traced_unless_sampled()
    {
        await using var plain = await HubFixture.For(postgres.Server).StartAsync();
        await using var sampled = await HubFixture.For(postgres.Server).Configure(s => s.Telemetry.NotificationTraceRatio = 1).StartAsync();
        using var plainActivities = new ActivityRecorder(plain.Database);
        using var sampledActivities = new ActivityRecorder(sampled.Database);
        var plainClient = await plain.SubscribedClientAsync();
        var sampledClient = await sampled.SubscribedClientAsync();

        await plain.NotifyAsync(HubFixture.Events, "p");
        await sampled.NotifyAsync(HubFixture.Events, "s");
        await plainClient.NextNotificationAsync();
        var notification = await sampledClient.NextNotificationAsync();

        await Eventually.TrueAsync(() => sampledActivities.Stopped(N.Notification).Count == 1, Timeout, "the sampled notification is traced");
        var traced = sampledActivities.Stopped(N.Notification).Single();
        Assert.Equal(HubFixture.Events, traced.GetTagItem(A.Channel));
        Assert.Equal(notification.ProcessId, traced.GetTagItem(A.ProcessId));
        Assert.Equal(notification.ReceivedAt, traced.StartTimeUtc);
        Assert.Empty(plainActivities.Stopped(N.Notification));
    }
}
