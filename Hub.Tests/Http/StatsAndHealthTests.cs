using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Http;

public sealed class StatsAndHealthTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Stats_report_connections_subscribers_listening_and_notifications()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        var first = await scenario.SubscribedClientAsync(HubFixture.Events);
        await scenario.SubscribedClientAsync(null);
        await scenario.ConnectAsync();
        await scenario.NotifyAsync(HubFixture.Events, "counted");
        await first.NextNotificationAsync();

        using var stats = await http.GetFromJsonAsync<JsonDocument>("/api/stats", TestContext.Current.CancellationToken);
        var root = stats!.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("instanceId").GetString()));
        Assert.Equal(3, root.GetProperty("connections").GetInt64());
        Assert.True(root.GetProperty("memory").GetProperty("workingSetBytes").GetInt64() > 0);
        Assert.Equal(0, root.GetProperty("delivery").GetProperty("bufferingConnections").GetInt64());
        Assert.Equal(0, root.GetProperty("delivery").GetProperty("slowConsumersDisconnected").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("backplane").ValueKind);
        var database = root.GetProperty("databases").GetProperty(scenario.Database);
        Assert.Equal(2, database.GetProperty("subscribers").GetInt32());
        Assert.Equal(3, database.GetProperty("subscriptions").GetInt32());
        Assert.True(database.GetProperty("listening").GetBoolean());
        Assert.Equal("listening", database.GetProperty("state").GetString());
        Assert.Equal([HubFixture.Events, HubFixture.Other], database.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(1, database.GetProperty("notificationsReceived").GetInt64());
        Assert.True(database.GetProperty("lastNotificationAt").GetDateTime() > DateTime.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task Stats_list_configured_databases_without_subscribers_as_idle()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };

        using var stats = await http.GetFromJsonAsync<JsonDocument>("/api/stats", TestContext.Current.CancellationToken);

        var database = stats!.RootElement.GetProperty("databases").GetProperty(scenario.Database);
        Assert.Equal("idle", database.GetProperty("state").GetString());
        Assert.False(database.GetProperty("listening").GetBoolean());
        Assert.Equal(0, database.GetProperty("subscribers").GetInt32());
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        await scenario.SubscribedClientAsync();

        var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readiness_is_degraded_while_a_listener_reconnects()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var scenario = await HubFixture.For(server).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        await scenario.SubscribedClientAsync();

        await server.StopAsync();

        await Eventually.TrueAsync(async () =>
        {
            var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return ready.StatusCode == HttpStatusCode.OK && await ready.Content.ReadAsStringAsync() == "Degraded";
        }, TimeSpan.FromSeconds(15), "readiness reports the unreachable database without failing the instance");
        var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
