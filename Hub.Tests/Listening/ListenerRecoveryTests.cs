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
        await using var scenario = await HubScenario.StartAsync(postgres.Server);
        var events = await scenario.SubscribedClientAsync(HubScenario.Events);
        var other = await scenario.SubscribedClientAsync(HubScenario.Other);
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

        await scenario.NotifyAsync(HubScenario.Events, "after reconnect");
        await scenario.NotifyAsync(HubScenario.Other, "other after reconnect");
        Assert.Equal("after reconnect", (await events.NextNotificationAsync()).Payload);
        Assert.Equal("other after reconnect", (await other.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task PostgreSQL_restart_reconnects_and_sends_resync()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var scenario = await HubScenario.StartAsync(server);
        var client = await scenario.SubscribedClientAsync();
        await scenario.NotifyAsync(HubScenario.Events, "before");
        Assert.Equal("before", (await client.NextNotificationAsync()).Payload);

        await server.RestartAsync();

        var resync = await client.NextResyncAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("listener-reconnected", resync.Reason);
        await scenario.NotifyAsync(HubScenario.Events, "after restart");
        Assert.Equal("after restart", (await client.NextNotificationAsync()).Payload);
        Assert.Single(await scenario.ListenerPidsAsync());
    }

    [Fact]
    public async Task Silent_network_drop_is_detected_by_keepalive()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        await using var proxy = new TcpProxy(postgres.Server.Port);
        var throughProxy = $"Host=127.0.0.1;Port={proxy.Port};Username=postgres;Database={database}";
        var settings = HubHost.SettingsFor(database, throughProxy, HubScenario.Events);
        settings["Hub:Listener:KeepAliveInterval"] = "00:00:01";
        settings["Hub:Listener:KeepAliveTimeout"] = "00:00:01";
        await using var hub = await HubHost.StartAsync(settings);
        await using var client = await RecordingClient.ConnectAsync(hub.HubUrl);
        await client.SubscribeAsync(database, HubScenario.Events);
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
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(database), HubScenario.Events, "after the drop");
        Assert.Equal("after the drop", (await client.NextNotificationAsync()).Payload);
    }
}
