using Npgsql;

namespace Hub.Tests.Infrastructure;

/// <summary>What tests do to PostgreSQL directly: NOTIFY, and look at the listener connections.</summary>
public static class Postgres
{
    public static async Task NotifyAsync(string connectionString, string channel, string payload)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Sends many notifications from one session, each committed on its own, in order.</summary>
    public static async Task NotifyManyAsync(string connectionString, string channel, IEnumerable<string> payloads)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        var channelParameter = command.Parameters.AddWithValue("channel", channel);
        var payloadParameter = command.Parameters.AddWithValue("payload", string.Empty);
        foreach (var payload in payloads)
        {
            payloadParameter.Value = payload;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> notifications numbered from 1 in one transaction: PostgreSQL delivers them
    /// together at commit, so they reach the hub back to back.
    /// </summary>
    public static async Task NotifyBurstAsync(string connectionString, string channel, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(pg_notify(@channel, n::text)) FROM generate_series(1, @count) AS n", connection);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("count", count);
        await command.ExecuteScalarAsync();
    }

    /// <summary>The process ids of the hub's listener connections to <paramref name="database"/>.</summary>
    public static async Task<int[]> ListenerPidsAsync(string adminConnectionString, string database, string? applicationName = null)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = @database AND application_name = @application ORDER BY pid", connection);
        command.Parameters.AddWithValue("database", database);
        command.Parameters.AddWithValue("application", applicationName ?? Hub.Server.Listening.ListenerConnection.DefaultApplicationName);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }

    /// <summary>How many connections, whoever opened them, are open to any of <paramref name="databases"/>.</summary>
    public static async Task<long> ConnectionsToAsync(string adminConnectionString, params string[] databases)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(@names)", connection);
        command.Parameters.AddWithValue("names", databases);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task TerminateAsync(string adminConnectionString, int pid)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        command.Parameters.AddWithValue("pid", pid);
        await command.ExecuteNonQueryAsync();
    }
}
