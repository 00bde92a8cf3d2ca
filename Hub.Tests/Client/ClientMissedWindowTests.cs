using Hub.Client;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Client;

/// <summary>
/// Where a client-reconnected window starts. A client that stops receiving (the network from the hub stalls, the way
/// back still works): its own server timeout notices, it keeps pinging meanwhile, and its window starts at the last
/// notification it got. That start is the hub's receive time of that notification, not when it arrived here nor a
/// later ping: whatever the hub received after it may never have reached this connection.
/// </summary>
public sealed class ClientMissedWindowTests(SharedPostgres postgres)
{
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromMilliseconds(300);

    [Fact]
    [Scenario("resync-window")]
    public async Task A_stalled_client_is_detected_by_its_server_timeout_keeps_pinging_and_its_window_starts_at_the_last_message()
    {
        await using var hub = await StartWithShortKeepAliveAsync();
        await using var proxy = new TcpProxy(hub.Hub.Port);
        var lost = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var recorder = await ClientRecorder.StartAsync(
            new()
            {
                Url = new Uri($"http://127.0.0.1:{proxy.Port}/hubs/notifications"),
                SkipNegotiation = true,
                MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
                ConfigureConnection = static b => b.WithServerTimeout(ServerTimeout).WithKeepAliveInterval(KeepAlive),
            },
            prepare: client => client.Disconnected += _ => lost.TrySetResult(DateTime.UtcNow));
        await recorder.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        var beforeLastMessage = DateTime.UtcNow;
        await hub.NotifyAsync(HubFixture.Events, "last before the stall");
        Assert.Equal("last before the stall", (await recorder.NextNotificationAsync()).Payload);

        var stalledAt = DateTime.UtcNow;
        var sentBefore = proxy.BytesFromClients;
        proxy.PauseServerReads();
        var lostAt = await lost.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var sentWhileStalled = proxy.BytesFromClients - sentBefore;
        proxy.ResumeServerReads();
        var resync = await recorder.NextResyncAsync();

        Assert.True(lostAt - stalledAt >= ServerTimeout - KeepAlive - TimeSpan.FromMilliseconds(200), $"noticed by the server timeout, after {lostAt - stalledAt}");
        // A JSON ping is 11 bytes before WebSocket framing; a client that stopped pinging would have sent at most one.
        Assert.True(sentWhileStalled >= 3 * 11, $"the client kept pinging while it heard nothing: {sentWhileStalled} bytes");
        Assert.Equal((hub.Database, ResyncReasons.ClientReconnected), (resync.Database, resync.Reason));
        // A read the proxy had already started when it paused still forwards one message: a ping at most a keep-alive
        // later, on the hub's one-second keep-alive tick. Noticing the loss takes the whole server timeout.
        Assert.InRange(resync.Since, beforeLastMessage, stalledAt + TimeSpan.FromSeconds(1) + KeepAlive + TimeSpan.FromMilliseconds(200));
        Assert.True(resync.Until >= lostAt, "the window ends once the client is back");
    }

    [Fact]
    [Scenario("resync-window")]
    public async Task The_window_starts_at_the_hubs_receive_time_of_the_last_notification_not_at_later_pings()
    {
        await using var hub = await StartWithShortKeepAliveAsync();
        await using var recorder = await ClientRecorder.StartAsync(new() { Url = hub.HubUrl, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) });
        await recorder.Client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        await hub.NotifyAsync(HubFixture.Events, "last before the loss");
        var last = await recorder.NextNotificationAsync();
        var arrived = DateTime.UtcNow;
        // Pings keep arriving (the hub ticks its keep-alive once a second); none of them proves later deliveries.
        await Eventually.TrueAsync(() => DateTime.UtcNow - arrived > TimeSpan.FromSeconds(1) + 2 * KeepAlive, TimeSpan.FromSeconds(5), "a ping should arrive after the notification");

        await hub.Hub.StopAsync();
        await Eventually.TrueAsync(() => recorder.Client.State != HubConnectionState.Connected, TimeSpan.FromSeconds(10), "the client notices the hub went away");
        await hub.Hub.StartAsync();
        var resync = await recorder.NextResyncAsync();

        Assert.Equal((hub.Database, ResyncReasons.ClientReconnected), (resync.Database, resync.Reason));
        Assert.Equal(last.ReceivedAt, resync.Since);
    }

    private Task<HubFixture> StartWithShortKeepAliveAsync()
        => HubFixture.For(postgres.Server)
            .ConfigureServices(static b => b.Services.Configure<HubOptions>(static o => o.KeepAliveInterval = KeepAlive))
            .StartAsync();
}
