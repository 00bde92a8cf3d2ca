using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Subscriptions;

/// <summary>A database that cannot be reached fails Subscribe within the timeout, keeps nothing, and shows offline.</summary>
public sealed class UnreachableDatabaseTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Subscribe_to_an_unreachable_database_fails_in_bounded_time_and_keeps_nothing()
    {
        var reachable = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubSettings.For(reachable, postgres.Server.ConnectionString(reachable), HubFixture.Events);
        // Nothing listens on a fresh free port: the connection is refused, as for a database that is down.
        settings.AddDatabase("down", $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Database=down", HubFixture.Events);
        settings.Listener.SubscribeTimeout = TimeSpan.FromSeconds(2);
        await using var hub = await HubHost.StartAsync(settings);
        await using var bystander = await RecordingClient.ConnectAsync(hub.HubUrl);
        await bystander.SubscribeAsync(reachable, HubFixture.Events);
        await using var caller = await RecordingClient.ConnectAsync(hub.HubUrl);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<HubException>(() => caller.SubscribeAsync("down", HubFixture.Events));
        watch.Stop();

        Assert.EndsWith("database 'down' is unreachable", error.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        using var http = new HttpClient { BaseAddress = hub.BaseUrl };
        using var stats = await http.GetFromJsonAsync<JsonDocument>("/api/stats", TestContext.Current.CancellationToken);
        var down = stats!.RootElement.GetProperty("databases").GetProperty("down");
        await Eventually.TrueAsync(async () =>
        {
            using var latest = await http.GetFromJsonAsync<JsonDocument>("/api/stats");
            var state = latest!.RootElement.GetProperty("databases").GetProperty("down");
            return state.GetProperty("state").GetString() == "offline" && state.GetProperty("subscriptions").GetInt32() == 0;
        }, TimeSpan.FromSeconds(10), "the failed subscription is not kept and the database shows offline");
        Assert.Equal(0, down.GetProperty("subscribers").GetInt32());

        // The caller's connection still works, and so does everyone else's.
        Assert.Equal([HubFixture.Events], await caller.SubscribeAsync(reachable, HubFixture.Events));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(reachable), HubFixture.Events, "still here");
        Assert.Equal("still here", (await caller.NextNotificationAsync()).Payload);
        Assert.Equal("still here", (await bystander.NextNotificationAsync()).Payload);
        Assert.False(await caller.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Subscribe_waits_for_a_database_that_comes_back_within_the_timeout()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var scenario = await HubFixture.For(server).Configure(s => s.Listener.SubscribeTimeout = TimeSpan.FromSeconds(20)).StartAsync();
        await server.StopAsync();
        var caller = await scenario.ConnectAsync();

        var subscribe = caller.SubscribeAsync(scenario.Database, HubFixture.Events);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(subscribe.IsCompleted, "Subscribe must not return before the LISTEN is active");
        await server.StartServerAsync();

        Assert.Equal([HubFixture.Events], await subscribe);
        await scenario.NotifyAsync(HubFixture.Events, "back");
        Assert.Equal("back", (await caller.NextNotificationAsync()).Payload);
    }
}
