using System.Diagnostics;
using Hub.Bench.Measuring;
using Npgsql;

namespace Hub.Bench.Running;

/// <summary>
/// Sends NOTIFY at a steady rate to each database, numbering them per database and stamping each with its send time.
/// </summary>
public static class NotifyPublisher
{
    /// <summary>Publishes for <paramref name="duration"/>; returns how many notifications each database got.</summary>
    public static async Task<Dictionary<string, long>> RunAsync(
        IReadOnlyDictionary<string, string> databases, string channel, double ratePerDatabase, TimeSpan duration, int payloadLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        var tasks = databases.Select(d => PublishAsync(d.Value, channel, ratePerDatabase, duration, payloadLength, cancellationToken)).ToArray();
        var counts = await Task.WhenAll(tasks).ConfigureAwait(false);
        return databases.Keys.Zip(counts).ToDictionary(static p => p.First, static p => p.Second, StringComparer.Ordinal);
    }

    /// <summary>The payload of warm-up notifications, which the measuring connections do not count.</summary>
    public const string WarmupPayload = "warmup";

    /// <summary>Sends <paramref name="count"/> warm-up notifications to each database, spread over <paramref name="duration"/>.</summary>
    public static async Task WarmUpAsync(IReadOnlyDictionary<string, string> databases, string channel, int count, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        foreach (var connectionString in databases.Values)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
            command.Parameters.AddWithValue("channel", channel);
            command.Parameters.AddWithValue("payload", WarmupPayload);
            for (var i = 0; i < count; i++)
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(duration / count, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<long> PublishAsync(string connectionString, string channel, double rate, TimeSpan duration, int payloadLength, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", channel);
        var payload = command.Parameters.AddWithValue("payload", string.Empty);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= duration)
            {
                return sent;
            }

            // Catch up when behind, so the rate holds on average even when the box is busy.
            var due = (long)(elapsed.TotalSeconds * rate) + 1;
            while (sent < due)
            {
                payload.Value = NotificationPayload.Create(sent, Stopwatch.GetTimestamp(), payloadLength);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                sent++;
            }

            var next = TimeSpan.FromSeconds(due / rate) - Stopwatch.GetElapsedTime(started);
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
