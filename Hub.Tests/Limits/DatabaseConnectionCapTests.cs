using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Server.Databases;
using Hub.Server.Http;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Hub.Server.Streams;
using Hub.Tests.Security;
using Hub.Tests.Streams;
using Hub.Tests.Telemetry;
using Hub.Tests.Tenants;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hub.Tests.Limits;

public sealed class DatabaseConnectionCapTests(SharedPostgres postgres)
{
    private static string Exhausted(string database, int limit)
        => $"database '{database}' cannot be served now: the hub holds the {limit} PostgreSQL connections it may open (Hub:Limits:MaxDatabaseConnections); retry later";

    [Fact]
    public async Task Tenants_beyond_the_cap_are_refused_while_those_served_keep_receiving_until_a_listener_closes()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, static s => s.Limits.MaxDatabaseConnections = 3);
        var c = tenants.Prefix + "_c";
        var d = tenants.Prefix + "_d";
        await postgres.Server.CreateDatabaseAsync(c);
        await postgres.Server.CreateDatabaseAsync(d);
        var budget = tenants.Hub.Hub.Services.GetRequiredService<DatabaseConnectionBudget>();
        using var metrics = new MetricRecorder(tenants.Hub.Hub.Services.GetRequiredService<HubMetrics>().Meter);
        var admin = await tenants.Hub.ConnectAsync("admin", ["*"], publish: ["*"]);
        var other = await tenants.Hub.ConnectAsync("other", ["*"], publish: ["*"]);
        foreach (var tenant in (string[])[tenants.A, tenants.B, c])
        {
            Assert.Equal([HubFixture.Events], await admin.SubscribeAsync(tenant, HubFixture.Events));
        }

        Assert.Equal(3, budget.InUse);
        Assert.Equal(Exhausted(d, 3), Refusal.Of(await Assert.ThrowsAsync<HubException>(() => admin.SubscribeAsync(d, HubFixture.Events))));
        Assert.Equal(Exhausted(d, 3), Refusal.Of(await Assert.ThrowsAsync<HubException>(() => other.SubscribeAsync(d, null))));
        Assert.Equal(Exhausted(d, 3), Refusal.Of(await Assert.ThrowsAsync<HubException>(() => other.PublishAsync(d, HubFixture.Events, "x"))));
        Assert.Equal(0, await Postgres.ConnectionsToAsync(postgres.Server.ConnectionString(), d));
        Assert.Equal(3, budget.InUse);
        Assert.Equal(3, metrics.ObserveValue(HubDiagnostics.Instruments.DatabaseConnections));
        Assert.Equal(3, metrics.ObserveValue(HubDiagnostics.Instruments.DatabaseConnectionsRefused));
        Assert.Single(tenants.Hub.Logs.Entries, static e => e.EventId.Name == "DatabaseConnectionsExhausted");
        var stats = tenants.Hub.Hub.Services.GetRequiredService<StatsCollector>().Collect().Limits;
        Assert.Equal((3, 3, 3L), (stats.DatabaseConnections, stats.MaxDatabaseConnections, stats.DatabaseConnectionsRefused));

        // A served database keeps its connection through a reconnect: the cap never takes it away.
        var pid = Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), tenants.A));
        await Postgres.TerminateAsync(postgres.Server.ConnectionString(), pid);
        await Eventually.TrueAsync(
            async () => (await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), tenants.A)) is [var next] && next != pid,
            TimeSpan.FromSeconds(20),
            "the listener of a served tenant reconnects at the cap");
        await admin.NextResyncAsync();
        foreach (var tenant in (string[])[tenants.A, tenants.B, c])
        {
            await Postgres.NotifyAsync(postgres.Server.ConnectionString(tenant), HubFixture.Events, "to " + tenant);
            Assert.Equal((tenant, "to " + tenant), ToPair(await admin.NextNotificationAsync()));
        }

        // Once a listener has closed (its idle grace period), its connection can serve another database.
        await admin.UnsubscribeAsync(c, null);
        await Eventually.TrueAsync(() => budget.InUse == 2, TimeSpan.FromSeconds(20), "the idle listener gives its connection back");
        Assert.Equal([HubFixture.Events], await other.SubscribeAsync(d, HubFixture.Events));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(d), HubFixture.Events, "to d");
        Assert.Equal((d, "to d"), ToPair(await other.NextNotificationAsync()));
    }

    [Fact]
    public async Task A_publisher_pool_counts_its_connections_until_it_has_been_idle()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, static s =>
        {
            s.Limits.MaxDatabaseConnections = 2;
            s.Publish.IdleLifetime = TimeSpan.FromSeconds(1);
        });
        var c = tenants.Prefix + "_c";
        await postgres.Server.CreateDatabaseAsync(c);
        var budget = tenants.Hub.Hub.Services.GetRequiredService<DatabaseConnectionBudget>();
        var admin = await tenants.Hub.ConnectAsync("admin", ["*"], publish: ["*"]);

        Assert.Equal([HubFixture.Events], await admin.SubscribeAsync(tenants.A, HubFixture.Events));
        await admin.PublishAsync(tenants.A, HubFixture.Events, "published");
        Assert.Equal((tenants.A, "published"), ToPair(await admin.NextNotificationAsync()));
        Assert.Equal(2, budget.InUse);
        Assert.Equal(Exhausted(c, 2), Refusal.Of(await Assert.ThrowsAsync<HubException>(() => admin.SubscribeAsync(c, HubFixture.Events))));
        // Publishing goes on over the pool's own connection.
        await admin.PublishAsync(tenants.A, HubFixture.Events, "again");
        Assert.Equal((tenants.A, "again"), ToPair(await admin.NextNotificationAsync()));

        await Eventually.TrueAsync(() => budget.InUse == 1, TimeSpan.FromSeconds(20), "the idle publisher pool gives its connection back");
        Assert.Empty(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), tenants.A, Hub.Server.Publishing.PublisherPools.PublisherApplicationName));
        Assert.Equal([HubFixture.Events], await admin.SubscribeAsync(c, HubFixture.Events));
        Assert.Equal(Exhausted(tenants.B, 2), Refusal.Of(await Assert.ThrowsAsync<HubException>(() => admin.PublishAsync(tenants.B, HubFixture.Events, "x"))));

        // Over HTTP the same refusal is a 503: the request was fine, the hub cannot serve it now.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(tenants.Hub.Hub.BaseUrl, "/api/publish"))
        {
            Content = JsonContent.Create(new { database = tenants.B, channel = HubFixture.Events, payload = "x" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenants.Hub.Tokens.Create("service", ["*"], ["*"]));
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Exhausted(tenants.B, 2), body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_outbox_database_counts_its_pools_with_its_listener_and_closes_them_with_it()
    {
        var plain = await postgres.Server.CreateUniqueDatabaseAsync("cap");
        await using var hub = await HubFixture.For(postgres.Server).Configure(s =>
        {
            OutboxScenario.Enable(s, static outbox => outbox.ReplayPoolSize = 2);
            s.AddDatabase(plain, postgres.Server.ConnectionString(plain), HubFixture.Events);
            // The listener, the reader's pool of 2 and the replay pool of 2.
            s.Limits.MaxDatabaseConnections = 5;
        }).StartAsync();
        var budget = hub.Hub.Services.GetRequiredService<DatabaseConnectionBudget>();
        var client = await hub.ConnectAsync();

        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
        Assert.Equal(5, budget.InUse);
        Assert.Equal(Exhausted(plain, 5), Refusal.Of(await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(plain, HubFixture.Events))));
        await using (var app = new NpgsqlConnection(hub.DatabaseConnectionString))
        {
            await app.OpenAsync(TestContext.Current.CancellationToken);
            await using var publish = new NpgsqlCommand("SELECT notify_hub.publish('events', 'row')", app);
            await publish.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal((hub.Database, "row"), ToPair(await client.NextNotificationAsync()));

        await client.UnsubscribeAsync(hub.Database, null);
        await Eventually.TrueAsync(() => budget.InUse == 0, TimeSpan.FromSeconds(20), "the idle listener gives back its connection and its pools'");
        // A closed connection's backend leaves pg_stat_activity a moment after the hub has let it go.
        await Eventually.TrueAsync(
            async () => (await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), hub.Database, OutboxDataSources.ReaderApplicationName)).Length == 0,
            TimeSpan.FromSeconds(10),
            "the reader pool's connections should be closed");
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(plain, HubFixture.Events));
    }

    private static (string, string) ToPair(Hub.Client.HubNotification notification) => (notification.Database, notification.Payload);
}
