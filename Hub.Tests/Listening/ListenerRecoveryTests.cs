using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Listening;

/// <summary>
/// A lost listener connection comes back by itself, LISTENs again, and tells subscribers what they may have missed.
/// </summary>
public sealed class ListenerRecoveryTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Terminated_listener_backend_reconnects_and_sends_resync()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var events = await scenario.SubscribedClientAsync(HubFixture.Events);
        var other = await scenario.SubscribedClientAsync(HubFixture.Other);
        var killedAt = DateTime.UtcNow;
        var pid = Assert.Single(await scenario.ListenerPidsAsync());

        await Postgres.TerminateAsync(postgres.Server.ConnectionString(), pid);

        var resync = await events.NextResyncAsync();
        Assert.Equal(scenario.Database, resync.Database);
        Assert.Equal("listener-reconnected", resync.Reason);
        Assert.True(resync.Since <= killedAt.AddSeconds(1) && resync.Since < resync.Until, $"window {resync.Since:O}..{resync.Until:O}");
        Assert.Equal(scenario.Database, (await other.NextResyncAsync()).Database);
        var newPid = Assert.Single(await scenario.ListenerPidsAsync());
        Assert.NotEqual(pid, newPid);

        await scenario.NotifyAsync(HubFixture.Events, "after reconnect");
        await scenario.NotifyAsync(HubFixture.Other, "other after reconnect");
        Assert.Equal("after reconnect", (await events.NextNotificationAsync()).Payload);
        Assert.Equal("other after reconnect", (await other.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task PostgreSQL_restart_reconnects_and_sends_resync()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var scenario = await HubFixture.For(server).StartAsync();
        var client = await scenario.SubscribedClientAsync();
        await scenario.NotifyAsync(HubFixture.Events, "before");
        Assert.Equal("before", (await client.NextNotificationAsync()).Payload);

        await server.RestartAsync();

        var resync = await client.NextResyncAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("listener-reconnected", resync.Reason);
        await scenario.NotifyAsync(HubFixture.Events, "after restart");
        Assert.Equal("after restart", (await client.NextNotificationAsync()).Payload);
        Assert.Single(await scenario.ListenerPidsAsync());
    }

    [Fact]
    public async Task Silent_network_drop_is_detected_by_keepalive()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        await using var proxy = new TcpProxy(postgres.Server.Port);
        var throughProxy = $"Host=127.0.0.1;Port={proxy.Port};Username=postgres;Database={database}";
        var settings = HubSettings.For(database, throughProxy, HubFixture.Events);
        settings.Listener.KeepAliveInterval = TimeSpan.FromSeconds(1);
        settings.Listener.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        await using var hub = await HubHost.StartAsync(settings);
        await using var client = await RecordingClient.ConnectAsync(hub.HubUrl);
        await client.SubscribeAsync(database, HubFixture.Events);
        var stalePid = Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), database));

        proxy.Blackhole();
        await Eventually.TrueAsync(
            () => hub.Services.GetRequiredService<Hub.Server.Listening.ListenerManager>().Snapshot()
                .Any(s => s.Database == database && s.State == Hub.Server.Listening.ListenerState.Reconnecting),
            TimeSpan.FromSeconds(15),
            "the keepalive probe notices that nothing comes back");
        proxy.Restore();

        var resync = await client.NextResyncAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("listener-reconnected", resync.Reason);
        await Postgres.TerminateAsync(postgres.Server.ConnectionString(), stalePid);
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(database), HubFixture.Events, "after the drop");
        Assert.Equal("after the drop", (await client.NextNotificationAsync()).Payload);
    }
}
