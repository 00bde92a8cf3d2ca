using Hub.Server.Tenants;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hub.Tests.Tenants;

public sealed class TenantDatabaseTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Tenant_database_matching_the_pattern_is_served_like_a_configured_one()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server);
        var client = await tenants.Hub.ConnectAsync("tenant-a", [tenants.A], publish: [tenants.A]);

        Assert.Equal([HubFixture.Events, HubFixture.Other], await client.SubscribeAsync(tenants.A, null));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(tenants.A), HubFixture.Events, "from the app");
        await client.PublishAsync(tenants.A, HubFixture.Other, "from a client");

        var received = await client.NotificationsAsync(2);
        Assert.Equal([(tenants.A, HubFixture.Events, "from the app"), (tenants.A, HubFixture.Other, "from a client")], received.Select(n => (n.Database, n.Channel, n.Payload)));
        Assert.Single(await Postgres.ListenerPidsAsync(postgres.Server.ConnectionString(), tenants.A));
    }

    [Fact]
    public async Task Other_tenant_unmatched_and_missing_names_get_the_same_refusal_and_no_connection()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server);
        var tenantA = await tenants.Hub.ConnectAsync("tenant-a", [tenants.A]);
        var admin = await tenants.Hub.ConnectAsync("admin", ["*"]);
        var missing = tenants.Prefix + "_ghost";
        string[] refusedNames = [tenants.B, tenants.Unmatched, missing, tenants.A.ToUpperInvariant()];

        var forTenantA = new List<string>();
        foreach (var name in refusedNames)
        {
            forTenantA.Add(Refusal.Of(await Assert.ThrowsAsync<HubException>(() => tenantA.SubscribeAsync(name, null))));
        }

        var forAdmin = new List<string>();
        foreach (var name in refusedNames.Skip(1))
        {
            forAdmin.Add(Refusal.Of(await Assert.ThrowsAsync<HubException>(() => admin.SubscribeAsync(name, null))));
        }

        Assert.Equal(refusedNames.Select(static n => $"database '{n}' is not available"), forTenantA);
        Assert.Equal(refusedNames.Skip(1).Select(static n => $"database '{n}' is not available"), forAdmin);
        Assert.Equal(0, await ConnectionsToAsync(postgres.Server, [tenants.B, tenants.Unmatched, missing]));
        Assert.True(await LookupConnectionsAsync(postgres.Server) > 0, "existence is checked on the maintenance database");
        Assert.Equal([HubFixture.Events], await tenantA.SubscribeAsync(tenants.A, HubFixture.Events));
        Assert.Equal([HubFixture.Events], await admin.SubscribeAsync(tenants.B, HubFixture.Events));
    }

    [Fact]
    public async Task Name_found_missing_stays_refused_until_the_short_cache_expires_then_is_admitted()
    {
        // The hub's clock is the test's: the cache expires when the test says so, not after a real wait.
        var time = new FakeTimeProvider();
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, s => s.Tenants.NegativeCacheDuration = TimeSpan.FromMinutes(1), time);
        var admin = await tenants.Hub.ConnectAsync("admin", ["*"]);
        var late = tenants.Prefix + "_late";

        await Assert.ThrowsAsync<HubException>(() => admin.SubscribeAsync(late, HubFixture.Events));
        await postgres.Server.CreateDatabaseAsync(late);
        time.Advance(TimeSpan.FromSeconds(59));
        await Assert.ThrowsAsync<HubException>(() => admin.SubscribeAsync(late, HubFixture.Events));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([HubFixture.Events], await admin.SubscribeAsync(late, HubFixture.Events));
    }

    [Fact]
    public async Task Lookups_per_second_limit_refuses_new_names_but_answers_cached_ones()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, static s =>
        {
            s.Tenants.LookupsPerSecond = 1;
            // The hub-wide budget is the one under test here, not the per-user one.
            s.Tenants.LookupsPerSecondPerUser = 100;
        });
        var first = await tenants.Hub.ConnectAsync("admin", ["*"]);
        var second = await tenants.Hub.ConnectAsync("admin-2", ["*"]);

        Assert.Equal([HubFixture.Events], await first.SubscribeAsync(tenants.A, HubFixture.Events));

        // One lookup a second: of five new names asked for at once, most are refused (timing decides exactly how many).
        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var name = $"{tenants.Prefix}_new{i}";
            answers.Add(Refusal.Of(await Assert.ThrowsAsync<HubException>(() => first.SubscribeAsync(name, HubFixture.Events))));
        }

        Assert.Equal([HubFixture.Events], await second.SubscribeAsync(tenants.A, HubFixture.Events));
        const string Throttled = "rate limit reached: the hub looks up at most 1 new databases per second (Hub:Tenants:LookupsPerSecond); retry shortly";
        Assert.InRange(answers.Count(static a => a == Throttled), 2, 5);
        Assert.All(answers.Where(static a => a != Throttled), static a => Assert.Matches("^database '.*' is not available$", a));
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(tenants.A), HubFixture.Events, "carry on");
        Assert.Equal("carry on", (await first.NextNotificationAsync()).Payload);
        Assert.Equal("carry on", (await second.NextNotificationAsync()).Payload);
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    return (await first.SubscribeAsync(tenants.B, HubFixture.Events)).Length == 1;
                }
                catch (HubException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(5),
            "lookups are allowed again a second later");
    }

    [Fact]
    public async Task A_user_flooding_new_names_spends_its_own_lookup_budget_and_other_users_are_admitted()
    {
        await using var tenants = await TenantSetup.StartAsync(postgres.Server, s =>
        {
            s.Tenants.LookupsPerSecond = 10;
            s.Tenants.LookupsPerSecondPerUser = 2;
            s.Limits.CallsPerSecond = 1000;
            s.Limits.CallBurst = 1000;
        });
        var flooder = await tenants.Hub.ConnectAsync("flooder", ["*"]);
        var owner = await tenants.Hub.ConnectAsync("owner", [tenants.A, tenants.B]);
        const string UserThrottled = "rate limit reached: a user may look up at most 2 new databases per second (Hub:Tenants:LookupsPerSecondPerUser); retry shortly";
        var answers = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var flood = Task.Run(
            async () =>
            {
                for (var i = 0; i < 500 && !stop.IsCancellationRequested; i++)
                {
                    var name = $"{tenants.Prefix}_random{i}";
                    answers.Enqueue(Refusal.Of(await Assert.ThrowsAsync<HubException>(() => flooder.SubscribeAsync(name, HubFixture.Events))));
                }
            },
            TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(() => Task.FromResult(answers.Contains(UserThrottled)), TimeSpan.FromSeconds(10), "the flooder is refused for its own budget");
        var ownTenants = new[] { await owner.SubscribeAsync(tenants.A, HubFixture.Events), await owner.SubscribeAsync(tenants.B, HubFixture.Events) };
        await stop.CancelAsync();
        await flood;
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.All(ownTenants, static channels => Assert.Equal([HubFixture.Events], channels));
        Assert.All(answers, a => Assert.True(a == UserThrottled || a.EndsWith("' is not available", StringComparison.Ordinal), a));
        // Two lookups a second for the flooder (plus the bucket it started with): everything else was refused without I/O.
        Assert.InRange(answers.Count(static a => a != UserThrottled), 1, (2 * (int)Math.Ceiling(seconds)) + 2);
        await Postgres.NotifyAsync(postgres.Server.ConnectionString(tenants.A), HubFixture.Events, "carry on");
        Assert.Equal("carry on", (await owner.NextNotificationAsync()).Payload);
    }

    private static Task<long> ConnectionsToAsync(PostgresServer server, string[] databases)
        => Postgres.ConnectionsToAsync(server.ConnectionString(), databases);

    private static async Task<long> LookupConnectionsAsync(PostgresServer server)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = 'postgres' AND application_name = @app", connection);
        command.Parameters.AddWithValue("app", TenantDirectory.LookupApplicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
