using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hub.Tests.Streams;

/// <summary>A <see cref="HubScenario"/> whose database is an outbox database, and what tests do to its outbox.</summary>
public sealed class OutboxScenario : IAsyncDisposable
{
    private OutboxScenario(HubFixture fixture) => Fixture = fixture;

    public HubFixture Fixture { get; }

    public string Database => Fixture.Database;

    public string ConnectionString => Fixture.DatabaseConnectionString;

    public static async Task<OutboxScenario> StartAsync(
        PostgresServer postgres, Action<Hub.Server.Databases.OutboxOptions>? configure = null, bool captureLogs = false, Action<HubSettings>? configureHub = null)
    {
        var builder = HubFixture.For(postgres).Configure(settings =>
        {
            Enable(settings, configure);
            configureHub?.Invoke(settings);
        });
        var fixture = await (captureLogs ? builder.CaptureLogs() : builder).StartAsync();
        return new OutboxScenario(fixture);
    }

    /// <summary>Makes the fixture's database an outbox database.</summary>
    public static void Enable(HubSettings settings, Action<Hub.Server.Databases.OutboxOptions>? configure = null)
    {
        var outbox = settings.Databases.Values.Single().Outbox;
        outbox.Enabled = true;
        // Short, so that tests of the safety net do not wait long; the NOTIFY wake-up is what delivers normally.
        outbox.PollInterval = TimeSpan.FromMilliseconds(200);
        configure?.Invoke(outbox);
    }

    public Task<RecordingClient> SubscribedClientAsync(string? channel = HubFixture.Events, bool messagePack = false)
        => Fixture.SubscribedClientAsync(channel, messagePack);

    public Task<RecordingClient> ConnectAsync(bool messagePack = false) => Fixture.ConnectAsync(messagePack);

    /// <summary>Terminates the backends of the hub's replay pool on the database, as a PostgreSQL restart would; returns how many.</summary>
    public Task<long> TerminateReplayBackendsAsync() => TerminateReplayBackendsAsync(ConnectionString);

    /// <summary>Terminates the backends of every hub's replay pool on the database of <paramref name="connectionString"/>; returns how many.</summary>
    public static async Task<long> TerminateReplayBackendsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Hub.Server.Streams.OutboxDataSources.ReplayApplicationName });
        return (long)(await command.ExecuteScalarAsync())!;
    }


    /// <summary>Publishes one row through notify_hub.publish, committed on its own.</summary>
    public async Task PublishAsync(string channel, string payload)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT notify_hub.publish($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = channel });
        command.Parameters.Add(new NpgsqlParameter { Value = payload });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Publishes numbered payloads from <paramref name="from"/>, each committed on its own, from one session.</summary>
    public async Task PublishManyAsync(string channel, int from, int count)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT notify_hub.publish($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = channel });
        var payload = new NpgsqlParameter { Value = string.Empty };
        command.Parameters.Add(payload);
        for (var i = from; i < from + count; i++)
        {
            payload.Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Publishes a row, truncates the outbox (a new epoch) and publishes another; returns both as
    /// <paramref name="live"/>, subscribed to 'events', received them.
    /// </summary>
    public async Task<(Hub.Client.HubNotification Old, Hub.Client.HubNotification Current)> StartNewEpochAsync(RecordingClient live)
    {
        ArgumentNullException.ThrowIfNull(live);
        await PublishAsync(HubFixture.Events, "old epoch");
        var old = await live.NextNotificationAsync();
        await ExecuteAsync("TRUNCATE notify_hub.outbox");
        await PublishAsync(HubFixture.Events, "new epoch");
        return (old, await live.NextNotificationAsync());
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => Fixture.DisposeAsync();
}

/// <summary>The result of SubscribeFrom, as a client reads it.</summary>
[MessagePack.MessagePackObject]
public sealed record SubscribeFromReply(
    [property: MessagePack.Key("channels")] string[] Channels,
    [property: MessagePack.Key("position")] string Position,
    [property: MessagePack.Key("recovered")] bool Recovered);

public static class SubscribeFromCalls
{
    public static Task<SubscribeFromReply> SubscribeFromAsync(this RecordingClient client, string? database, string? channel, string? since)
        => client.Connection.InvokeAsync<SubscribeFromReply>("SubscribeFrom", database, channel, since);
}
