using System.Net;
using System.Security.Claims;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Hub.Tests.Security;

public sealed class ManagementAccessTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Stats_require_the_configured_role()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(s => s.Management.RequireRole = "hub-admin").StartAsync();
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        var anonymous = await http.GetAsync(new Uri("/api/stats", UriKind.Relative), TestContext.Current.CancellationToken);
        var withoutRole = await GetStatsAsync(http, hub.Tokens.Create("alice", ["*"]));
        var withRole = await GetStatsAsync(http, hub.Tokens.Create("ops", extraClaims: [new Claim("role", "hub-admin")]));
        var withRolesArray = await GetStatsAsync(http, hub.Tokens.Create("ops", extraClaims: [new Claim("roles", "hub-admin")]));
        var health = await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        var metricsAnonymous = await http.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var metricsWithRole = await GetAsync(http, "/metrics", hub.Tokens.Create("ops", extraClaims: [new Claim("role", "hub-admin")]));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutRole.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withRole.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withRolesArray.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, metricsAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metricsWithRole.StatusCode);
    }

    [Fact]
    public async Task Stats_answer_only_on_the_management_port()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var managementPort = FreePort.Next();
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events);
        settings.Management.Port = managementPort;
        HubHost? host = null;
        host = new HubHost(settings) { ConfigureHost = b => b.WebHost.UseUrls(host!.BaseUrl.ToString(), $"http://127.0.0.1:{managementPort}") };
        await using (host)
        {
            await host.StartAsync();
            using var http = new HttpClient();

            var publicPort = await http.GetAsync(new Uri(host.BaseUrl, "/api/stats"), TestContext.Current.CancellationToken);
            var management = await http.GetAsync(new Uri($"http://127.0.0.1:{managementPort}/api/stats"), TestContext.Current.CancellationToken);
            var metricsPublic = await http.GetAsync(new Uri(host.BaseUrl, "/metrics"), TestContext.Current.CancellationToken);
            var metricsManagement = await http.GetAsync(new Uri($"http://127.0.0.1:{managementPort}/metrics"), TestContext.Current.CancellationToken);
            await using var client = await RecordingClient.ConnectAsync(host.HubUrl);

            Assert.Equal(HttpStatusCode.NotFound, publicPort.StatusCode);
            Assert.Equal(HttpStatusCode.OK, management.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, metricsPublic.StatusCode);
            Assert.Equal(HttpStatusCode.OK, metricsManagement.StatusCode);
            Assert.Equal([HubFixture.Events], await client.SubscribeAsync(database, HubFixture.Events));
        }
    }

    private static Task<HttpResponseMessage> GetStatsAsync(HttpClient http, string token) => GetAsync(http, "/api/stats", token);

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string token) => ManagementRequests.GetAsync(http, path, token);
}
