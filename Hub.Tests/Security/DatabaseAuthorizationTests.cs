using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Security;

public sealed class DatabaseAuthorizationTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Claim_grants_only_the_databases_it_names()
    {
        var second = await postgres.Server.CreateUniqueDatabaseAsync();
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(s => AddDatabase(s, second)).StartAsync();
        var firstOnly = await hub.ConnectAsync("alice", [hub.Database]);
        var everything = await hub.ConnectAsync("root", ["*"]);

        Assert.Equal([HubFixture.Events], await firstOnly.SubscribeAsync(hub.Database, HubFixture.Events));
        var denied = await Assert.ThrowsAsync<HubException>(() => firstOnly.SubscribeAsync(second, HubFixture.Events));
        Assert.Equal([HubFixture.Events], await everything.SubscribeAsync(second, HubFixture.Events));
        Assert.Equal([HubFixture.Events], await everything.SubscribeAsync(hub.Database, HubFixture.Events));

        Assert.Equal($"database '{second}' is not available", Refusal.Of(denied));
        await hub.NotifyAsync(HubFixture.Events, "still works");
        Assert.Equal("still works", (await firstOnly.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Denied_and_unknown_get_the_same_answer_and_are_logged_with_the_user_id()
    {
        var second = await postgres.Server.CreateUniqueDatabaseAsync();
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(s => AddDatabase(s, second)).StartAsync();
        var client = await hub.ConnectAsync("user-4711", [hub.Database]);

        var denied = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(second, null));
        var unknown = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("no_such_database", null));

        Assert.Equal(Refusal.Of(denied).Replace(second, "X", StringComparison.Ordinal), Refusal.Of(unknown).Replace("no_such_database", "X", StringComparison.Ordinal));
        var refusals = hub.Logs.Entries.Where(static e => e.EventId == HubEventIds.CallRefused).Select(static e => e.Text).ToArray();
        Assert.Contains(refusals, t => t.Contains("user-4711", StringComparison.Ordinal) && t.Contains(second, StringComparison.Ordinal) && t.Contains("access_denied", StringComparison.Ordinal));
        Assert.Contains(refusals, t => t.Contains("user-4711", StringComparison.Ordinal) && t.Contains("no_such_database", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_without_any_database_claim_may_connect_but_subscribe_to_nothing()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var client = await hub.ConnectAsync("nobody", []);

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(hub.Database, null));

        Assert.Equal($"database '{hub.Database}' is not available", Refusal.Of(error));
    }

    [Fact]
    public async Task Claim_names_are_case_sensitive_like_database_names()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var client = await hub.ConnectAsync("alice", [hub.Database.ToUpperInvariant()]);

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(hub.Database, null));

        Assert.Equal($"database '{hub.Database}' is not available", Refusal.Of(error));
    }

    private void AddDatabase(HubSettings settings, string database)
        => settings.AddDatabase(database, postgres.Server.ConnectionString(database), HubFixture.Events);
}
