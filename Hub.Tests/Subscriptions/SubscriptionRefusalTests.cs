using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Subscriptions;

/// <summary>
/// Every bad call fails with a HubException that says what was wrong, keeps nothing, and leaves the caller's
/// connection and everyone else's working.
/// </summary>
public sealed class SubscriptionRefusalTests(SharedPostgres postgres)
{
    public static TheoryData<string?, string?, string> BadSubscriptions => new()
    {
        { "no_such_database", HubFixture.Events, "database 'no_such_database' is not available" },
        { null, HubFixture.Events, "database name is required" },
        { "", HubFixture.Events, "database name is required" },
        { new string('d', 64), HubFixture.Events, "database name must be at most 63 bytes" },
        { "x\"; DROP TABLE t; --", HubFixture.Events, "database 'x\"; DROP TABLE t; --' is not available" },
        { "bad\nname", null, "database 'bad\\u000aname' is not available" },
    };

    public static TheoryData<string, string> BadChannels => new()
    {
        { "not_configured", "channel name 'not_configured' is not allowed for database '{0}'" },
        { "EVENTS", "channel name 'EVENTS' is not allowed for database '{0}'" },
        { "", "channel name must not be empty (pass null for every channel of the database)" },
        { new string('c', 64), "channel name must be at most 63 bytes" },
        { "ż" + new string('c', 62), "channel name must be at most 63 bytes" },
        { "x\"; DROP TABLE t; --", "channel name 'x\"; DROP TABLE t; --' is not allowed for database '{0}'" },
        { "events; UNLISTEN *", "channel name 'events; UNLISTEN *' is not allowed for database '{0}'" },
    };

    [Theory]
    [MemberData(nameof(BadSubscriptions))]
    public async Task Bad_database_is_refused_and_everyone_carries_on(string? database, string? channel, string message)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var bystander = await scenario.SubscribedClientAsync();
        var caller = await scenario.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => caller.SubscribeAsync(database, channel));

        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
        await AssertStillServedAsync(scenario, caller, bystander);
    }

    [Theory]
    [MemberData(nameof(BadChannels))]
    public async Task Bad_channel_is_refused_and_everyone_carries_on(string channel, string message)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var bystander = await scenario.SubscribedClientAsync();
        var caller = await scenario.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => caller.SubscribeAsync(scenario.Database, channel));

        Assert.EndsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, scenario.Database), error.Message, StringComparison.Ordinal);
        await AssertStillServedAsync(scenario, caller, bystander);
    }

    [Fact]
    public async Task Injected_channel_name_runs_no_sql()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        await ExecuteAsync(scenario.DatabaseConnectionString, "CREATE TABLE t (id int)");
        var caller = await scenario.ConnectAsync();

        await Assert.ThrowsAsync<HubException>(() => caller.SubscribeAsync(scenario.Database, "x\"; DROP TABLE t; --"));
        await Assert.ThrowsAsync<HubException>(() => caller.SubscribeAsync("x\"; DROP TABLE t; --", null));

        Assert.Equal(0L, await ScalarAsync(scenario.DatabaseConnectionString, "SELECT count(*) FROM t"));
    }

    [Fact]
    public async Task Unsubscribing_from_something_never_subscribed_does_nothing()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var caller = await scenario.ConnectAsync();

        await caller.UnsubscribeAsync(scenario.Database, HubFixture.Events);
        await caller.UnsubscribeAsync(scenario.Database, null);
        await caller.UnsubscribeAsync("no_such_database", "whatever");

        Assert.Equal([HubFixture.Events], await caller.SubscribeAsync(scenario.Database, HubFixture.Events));
        await scenario.NotifyAsync(HubFixture.Events, "still fine");
        Assert.Equal("still fine", (await caller.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Unsubscribe_with_a_malformed_name_is_refused()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var caller = await scenario.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => caller.UnsubscribeAsync(null, null));

        Assert.EndsWith("database name is required", error.Message, StringComparison.Ordinal);
        Assert.Equal([HubFixture.Events], await caller.SubscribeAsync(scenario.Database, HubFixture.Events));
    }

    [Fact]
    public async Task Subscribing_twice_is_idempotent()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var caller = await scenario.ConnectAsync();

        Assert.Equal([HubFixture.Events], await caller.SubscribeAsync(scenario.Database, HubFixture.Events));
        Assert.Equal([HubFixture.Events], await caller.SubscribeAsync(scenario.Database, HubFixture.Events));
        Assert.Equal([HubFixture.Events, HubFixture.Other], await caller.SubscribeAsync(scenario.Database, null));
        await scenario.NotifyAsync(HubFixture.Events, "once");

        Assert.Equal("once", (await caller.NextNotificationAsync()).Payload);
        Assert.False(await caller.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)), "a double subscription must not deliver twice");

        // One unsubscribe undoes it: subscriptions are a set, not a count.
        await caller.UnsubscribeAsync(scenario.Database, null);
        await scenario.NotifyAsync(HubFixture.Events, "gone");
        Assert.False(await caller.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    private static async Task AssertStillServedAsync(HubFixture scenario, RecordingClient caller, RecordingClient bystander)
    {
        Assert.Equal([HubFixture.Events], await caller.SubscribeAsync(scenario.Database, HubFixture.Events));
        await scenario.NotifyAsync(HubFixture.Events, "after the refusal");
        Assert.Equal("after the refusal", (await caller.NextNotificationAsync()).Payload);
        Assert.Equal("after the refusal", (await bystander.NextNotificationAsync()).Payload);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
