using System.Globalization;
using Npgsql;

namespace Hub.Tests.Client;

/// <summary>Publishes numbered payloads into an outbox database, each in its own transaction, as an application would.</summary>
public static class OutboxPublisher
{
    /// <summary>Publishes <c>from</c> .. <c>from + count - 1</c> on <paramref name="channel"/>, waiting <paramref name="pause"/> between rows.</summary>
    public static async Task PublishAsync(string connectionString, string channel, int from, int count, TimeSpan pause = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT notify_hub.publish($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = channel });
        var payload = new NpgsqlParameter { Value = string.Empty };
        command.Parameters.Add(payload);
        for (var i = from; i < from + count; i++)
        {
            payload.Value = i.ToString(CultureInfo.InvariantCulture);
            await command.ExecuteNonQueryAsync();
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause);
            }
        }
    }

    /// <summary>The payloads <c>from</c> .. <c>from + count - 1</c>, as <see cref="PublishAsync"/> writes them.</summary>
    public static IEnumerable<string> Payloads(int from, int count)
        => Enumerable.Range(from, count).Select(static i => i.ToString(CultureInfo.InvariantCulture));
}
