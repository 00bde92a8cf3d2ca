using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Hub.Server.Security;
using Hub.Tests.Infrastructure;
using Hub.Tests.Tenants;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Security;

public sealed class ManagementDefaultsTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData("/api/stats")]
    [InlineData("/metrics")]
    public async Task Management_endpoints_of_a_hub_that_requires_tokens_need_the_management_role_by_default(string path)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var client = await hub.ConnectAsync("alice");
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        using var anonymous = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        using var caller = await GetAsync(http, path, hub.Tokens.Create("alice", ["*"], publish: ["*"]));
        using var admin = await GetAsync(http, path, AdminToken(hub));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, caller.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task Management_endpoints_open_to_anyone_only_when_allowed_explicitly()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(static s => s.Management.AllowAnonymous = true).StartAsync();
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        using var stats = await http.GetAsync(new Uri("/api/stats", UriKind.Relative), TestContext.Current.CancellationToken);
        using var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task Stats_summarize_database_errors_and_count_tenant_databases_without_naming_them()
    {
        var deadPort = FreePort.Next();
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, s =>
        {
            s.AddDatabase("missing", postgres.Server.ConnectionString("no_such_database_here"), HubFixture.Events);
            s.AddDatabase("down", $"Host=127.0.0.1;Port={deadPort};Database=down;Username=hub;Timeout=1", HubFixture.Events);
            s.Listener.SubscribeTimeout = TimeSpan.FromSeconds(2);
        });
        var hub = tenants.Hub;
        var client = await hub.ConnectAsync("admin", ["*"], publish: ["*"]);
        await client.SubscribeAsync(tenants.A, HubFixture.Events);
        await client.PublishAsync(tenants.A, HubFixture.Events, "pooled");
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("missing", null));
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("down", null));
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        string stats = string.Empty;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await GetAsync(http, "/api/stats", AdminToken(hub));
                stats = await response.Content.ReadAsStringAsync();
                var databases = JsonDocument.Parse(stats).RootElement.GetProperty("databases");
                return databases.GetProperty("missing").GetProperty("lastError").GetString() is not null
                    && databases.GetProperty("down").GetProperty("lastError").GetString() is not null;
            },
            TimeSpan.FromSeconds(10),
            "both failing databases report an error");
        using var metricsResponse = await GetAsync(http, "/metrics", AdminToken(hub));
        var metrics = await metricsResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        var report = JsonDocument.Parse(stats).RootElement;
        Assert.Equal("database does not exist", report.GetProperty("databases").GetProperty("missing").GetProperty("lastError").GetString());
        Assert.Equal("connection failed", report.GetProperty("databases").GetProperty("down").GetProperty("lastError").GetString());
        Assert.DoesNotContain(tenants.A, stats, StringComparison.Ordinal);
        Assert.Equal(1, report.GetProperty("tenantDatabases").GetInt32());
        foreach (var leak in (string[])["no_such_database_here", deadPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1", "Username"])
        {
            Assert.DoesNotContain(leak, stats, StringComparison.Ordinal);
        }

        var poolNames = metrics.Split('\n').Where(static l => l.Contains("db_client_connection_pool_name", StringComparison.Ordinal)).ToList();
        // The pools the hub opens for publishing and tenant lookups are named by what they are for; Npgsql's default
        // name would be their connection string.
        Assert.Contains(poolNames, l => l.Contains($"pool_name=\"{Hub.Server.Publishing.PublisherPools.PoolName(tenants.A)}\"", StringComparison.Ordinal));
        Assert.Contains(poolNames, static l => l.Contains($"pool_name=\"{Hub.Server.Tenants.TenantDirectory.LookupApplicationName}\"", StringComparison.Ordinal));
        Assert.DoesNotContain(poolNames, static l => l.Contains("Host=", StringComparison.Ordinal)
            && (l.Contains(Hub.Server.Publishing.PublisherPools.PublisherApplicationName, StringComparison.Ordinal) || l.Contains(Hub.Server.Tenants.TenantDirectory.LookupApplicationName, StringComparison.Ordinal)));
        // The full error stays in the log.
        Assert.Contains(hub.Logs.Entries, static e => e.Text.Contains("no_such_database_here", StringComparison.Ordinal));
        Assert.Equal("pooled", (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Stats_list_tenant_databases_when_allowed()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, static s => s.Management.ListTenantDatabases = true);
        var client = await tenants.Hub.ConnectAsync("admin", ["*"]);
        await client.SubscribeAsync(tenants.A, HubFixture.Events);
        using var http = new HttpClient { BaseAddress = tenants.Hub.Hub.BaseUrl };

        using var response = await GetAsync(http, "/api/stats", AdminToken(tenants.Hub));
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.True(report.GetProperty("databases").TryGetProperty(tenants.A, out var tenant));
        Assert.True(tenant.GetProperty("listening").GetBoolean());
        Assert.Equal(1, report.GetProperty("tenantDatabases").GetInt32());
    }

    private static string AdminToken(HubFixture hub) => hub.Tokens.Create("ops", extraClaims: [new Claim("role", ManagementOptions.DefaultRole)]);

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string token) => ManagementRequests.GetAsync(http, path, token);
}
