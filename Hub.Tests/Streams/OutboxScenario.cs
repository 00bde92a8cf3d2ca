using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hub.Tests.Streams;

/// <summary>A <see cref="HubScenario"/> whose database is an outbox database, and what tests do to its outbox.</summary>
public sealed class OutboxScenario : IAsyncDisposable
{
    private OutboxScenario(HubScenario scenario) => Scenario = scenario;

    public HubScenario Scenario { get; }

    public string Database => Scenario.Database;

    public string ConnectionString => Scenario.DatabaseConnectionString;

    public static async Task<OutboxScenario> StartAsync(PostgresServer postgres, Action<Dictionary<string, string?>>? configure = null)
    {
        var scenario = await HubScenario.StartAsync(postgres, settings =>
        {
            var database = settings.Keys.First(k => k.EndsWith(":ConnectionString", StringComparison.Ordinal)).Split(':')[2];
            settings[$"Hub:Databases:{database}:Outbox:Enabled"] = "true";
            // Short, so that tests of the safety net do not wait long; the NOTIFY wake-up is what delivers normally.
            settings[$"Hub:Databases:{database}:Outbox:PollInterval"] = "00:00:00.200";
            configure?.Invoke(settings);
        });
        return new OutboxScenario(scenario);
    }

    public Task<RecordingClient> SubscribedClientAsync(string? channel = HubScenario.Events, bool messagePack = false)
        => Scenario.SubscribedClientAsync(channel, messagePack);

    public Task<RecordingClient> ConnectAsync(bool messagePack = false) => Scenario.ConnectAsync(messagePack);

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

    public ValueTask DisposeAsync() => Scenario.DisposeAsync();
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
