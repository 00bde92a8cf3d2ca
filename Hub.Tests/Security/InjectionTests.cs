using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Hub.Tests.Security;

/// <summary>
/// Hostile names and payloads: refused, or carried as plain data; nothing they contain is ever executed.
/// A canary table in the database must survive every attempt.
/// </summary>
public sealed class InjectionTests(SharedPostgres postgres)
{
    public static TheoryData<string> HostileDatabaseNames => new()
    {
        "x'; DROP TABLE canary; --",
        "x\"; DROP TABLE canary; --",
        "postgres;Host=evil.example",
        "a\0b",
        new string('d', 10_000),
        "\u0442_lookalike", // Cyrillic 'т'
        "\uff54_fullwidth", // fullwidth 't'
        "{database}",
    };

    public static TheoryData<string> HostileChannelNames => new()
    {
        "events; DROP TABLE canary",
        "events\"; DROP TABLE canary; --",
        "events'",
        "events\0",
        new string('c', 10_000),
        "\u0435vents", // Cyrillic 'е'
        "EVENTS",
    };

    public static TheoryData<string> HostilePayloads => new()
    {
        "'); DROP TABLE canary; --",
        "$$; DROP TABLE canary; $$",
        "\\'; DROP TABLE canary; --",
        "\"; DROP TABLE canary; --",
        "\u0442\u0435st \uff04\uff04 \u202e reversed",
        "line\nbreak\r\nand\ttab",
    };

    [Theory]
    [MemberData(nameof(HostileDatabaseNames))]
    public async Task Hostile_database_name_is_refused_and_nothing_runs(string database)
    {
        await using var hub = await StartWithCanaryAsync();
        var client = await hub.ConnectAsync("mallory", ["*"], publish: ["*"]);

        var subscribe = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(database, HubFixture.Events));
        var publish = await Assert.ThrowsAsync<HubException>(() => client.PublishAsync(database, HubFixture.Events, "x"));

        Assert.Matches("^(database '.*' is not available|database name must be at most 63 bytes)$", Refusal.Of(subscribe));
        Assert.Equal(Refusal.Of(subscribe), Refusal.Of(publish));
        Assert.DoesNotContain('\0', Refusal.Of(subscribe));
        await AssertCanaryAliveAsync(hub);
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Theory]
    [MemberData(nameof(HostileChannelNames))]
    public async Task Hostile_channel_name_is_refused_and_nothing_runs(string channel)
    {
        await using var hub = await StartWithCanaryAsync();
        var client = await hub.ConnectAsync("mallory", ["*"], publish: ["*"]);

        var subscribe = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(hub.Database, channel));
        var publish = await Assert.ThrowsAsync<HubException>(() => client.PublishAsync(hub.Database, channel, "x"));

        Assert.Matches("^(channel name '.*' is not allowed for database '.*'|channel name must be at most 63 bytes)$", Refusal.Of(subscribe));
        Assert.Equal(Refusal.Of(subscribe), Refusal.Of(publish));
        await AssertCanaryAliveAsync(hub);
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Theory]
    [MemberData(nameof(HostilePayloads))]
    public async Task Hostile_payload_is_carried_as_plain_data(string payload)
    {
        await using var hub = await StartWithCanaryAsync();
        var subscriber = await hub.ConnectAsync("reader");
        var publisher = await hub.ConnectAsync("mallory", [], publish: ["*"]);
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);

        await publisher.PublishAsync(hub.Database, HubFixture.Events, payload);

        Assert.Equal(payload, (await subscriber.NextNotificationAsync()).Payload);
        await AssertCanaryAliveAsync(hub);
    }

    // A lone surrogate cannot be tested end to end: both hub protocols encode text as UTF-8 on the client, which
    // replaces it before it leaves; the server still refuses one that a hand-written client might send.
    [Theory]
    [InlineData("nul \0 inside", "payload must not contain NUL characters (PostgreSQL text cannot hold them)")]
    public async Task Payload_PostgreSQL_cannot_hold_is_refused_clearly(string payload, string expected)
    {
        await using var hub = await StartWithCanaryAsync();
        var subscriber = await hub.ConnectAsync("reader");
        var publisher = await hub.ConnectAsync("mallory", [], publish: ["*"]);
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);

        var error = await Assert.ThrowsAsync<HubException>(() => publisher.PublishAsync(hub.Database, HubFixture.Events, payload));
        await publisher.PublishAsync(hub.Database, HubFixture.Events, "next");

        Assert.Equal(expected, Refusal.Of(error));
        Assert.Equal("next", (await subscriber.NextNotificationAsync()).Payload);
        await AssertCanaryAliveAsync(hub);
    }

    private async Task<HubFixture> StartWithCanaryAsync()
    {
        var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        await using var connection = new NpgsqlConnection(hub.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE canary (id int); INSERT INTO canary VALUES (1);", connection);
        await command.ExecuteNonQueryAsync();
        return hub;
    }

    private static async Task AssertCanaryAliveAsync(HubFixture hub)
    {
        await using var connection = new NpgsqlConnection(hub.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM canary", connection);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }
}
