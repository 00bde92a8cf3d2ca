using Hub.Server.Telemetry;
using System.Text.Json;
using Hub.Server.Security;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Security;

public sealed class SecretsTests(SharedPostgres postgres)
{
    private const string Password = "S3cret-Passw0rd-xyzzy";
    private const string SslPassword = "Key-Passw0rd-plugh";

    [Theory]
    [InlineData("Host=db;Database=app;Username=hub;Password=S3cret-Passw0rd-xyzzy")]
    [InlineData("Host=db;Database=app;Username=hub;Password='S3cret-Passw0rd-xyzzy';SSL Password=Key-Passw0rd-plugh")]
    [InlineData("host=db;PASSWORD=S3cret-Passw0rd-xyzzy;database=app")]
    public void Redact_masks_passwords_and_keeps_the_rest(string connectionString)
    {
        var redacted = ConnectionStrings.Redact(connectionString);

        Assert.DoesNotContain(Password, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(SslPassword, redacted, StringComparison.Ordinal);
        Assert.Contains("Password=***", redacted, StringComparison.Ordinal);
        Assert.Contains("Host=db", redacted, StringComparison.Ordinal);
        Assert.Contains("Database=app", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Password=S3cret-Passw0rd-xyzzy;Bogus Key=1", "(unparsable connection string)")]
    [InlineData("", "")]
    [InlineData("Host=db;Database=app", "Host=db;Database=app")]
    public void Redact_never_echoes_what_it_cannot_parse(string connectionString, string expected)
        => Assert.Equal(expected, ConnectionStrings.Redact(connectionString));

    [Fact]
    public async Task Passwords_never_reach_logs_stats_or_errors()
    {
        var deadPort = FreePort.Next();
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        await using var hub = await HubFixture.For(postgres.Server).WithDatabase(database).WithTokens().CaptureLogs().Configure(s =>
        {
            // Trust authentication ignores the password, so this database works with it in its connection string.
            s.AddDatabase("secretive", postgres.Server.ConnectionString(database) + $";Password={Password}", HubFixture.Events);
            s.AddDatabase("down", $"Host=127.0.0.1;Port={deadPort};Database=down;Username=postgres;Password={Password};SSL Password={SslPassword};Timeout=1", HubFixture.Events);
            s.Tenants.ConnectionStringTemplate = $"Host=127.0.0.1;Port={deadPort};Database={{database}};Username=postgres;Password={Password};Timeout=1";
            s.Tenants.NamePattern = "tenant_[a-z]+";
            s.Tenants.Channels = [HubFixture.Events];
            s.Listener.SubscribeTimeout = TimeSpan.FromSeconds(2);
        }).StartAsync();
        var client = await hub.ConnectAsync("alice", ["*"], publish: ["*"]);
        var errors = new List<string>();

        await client.SubscribeAsync("secretive", HubFixture.Events);
        await client.PublishAsync("secretive", HubFixture.Events, "works");
        errors.Add((await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("down", null))).Message);
        errors.Add((await Assert.ThrowsAsync<HubException>(() => client.PublishAsync("down", HubFixture.Events, "x"))).Message);
        errors.Add((await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("tenant_abc", null))).Message);
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };
        using var statsRequest = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        statsRequest.Headers.Authorization = new("Bearer", hub.Tokens.Create("ops", extraClaims: [new System.Security.Claims.Claim("role", Hub.Server.Security.ManagementOptions.DefaultRole)]));
        var stats = await (await http.SendAsync(statsRequest, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal("works", (await client.NextNotificationAsync()).Payload);
        Assert.Contains("down", JsonDocument.Parse(stats).RootElement.GetProperty("databases").EnumerateObject().Select(static p => p.Name));
        Assert.Contains(hub.Logs.Entries, static e => e.EventId == HubEventIds.DatabaseConfigured && e.Text.Contains("Password=***", StringComparison.Ordinal));
        Assert.Contains(hub.Logs.Entries, static e => e.EventId == HubEventIds.TenantLookupFailed);
        foreach (var text in (string[])[hub.Logs.AllText, stats, .. errors])
        {
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SslPassword, text, StringComparison.Ordinal);
        }
    }
}
