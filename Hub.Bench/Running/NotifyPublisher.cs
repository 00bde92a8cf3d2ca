using System.Diagnostics;
using System.Runtime.CompilerServices;
using Hub.Bench.Measuring;
using Npgsql;

namespace Hub.Bench.Running;

/// <summary>
/// Sends NOTIFY (or outbox rows, <see cref="PublishStatements"/>) at a steady rate to each database, numbering them per
/// database and stamping each with its send time.
/// </summary>
public static class NotifyPublisher
{
    /// <summary>Publishes for <paramref name="duration"/>; returns how many notifications each database got.</summary>
    public static Task<Dictionary<string, long>> RunAsync(
        IReadOnlyDictionary<string, string> databases, string channel, double ratePerDatabase, TimeSpan duration, int payloadLength, CancellationToken cancellationToken)
        => RunAsync(databases, channel, ratePerDatabase, duration, payloadLength, PublishStatements.Notify, writers: 1, cancellationToken);

    /// <summary>
    /// Publishes for <paramref name="duration"/> with <paramref name="statement"/> from <paramref name="writers"/>
    /// connections per database, which share the database's rate and its sequence numbers; returns how many each
    /// database got.
    /// </summary>
    public static async Task<Dictionary<string, long>> RunAsync(
        IReadOnlyDictionary<string, string> databases, string channel, double ratePerDatabase, TimeSpan duration, int payloadLength, string statement, int writers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        var tasks = databases.Select(async d =>
        {
            var sequence = new StrongBox<long>(0);
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ =>
                PublishAsync(d.Value, channel, ratePerDatabase / writers, duration, payloadLength, statement, sequence, cancellationToken))).ConfigureAwait(false);
            return Interlocked.Read(ref sequence.Value);
        }).ToArray();
        var counts = await Task.WhenAll(tasks).ConfigureAwait(false);
        return databases.Keys.Zip(counts).ToDictionary(static p => p.First, static p => p.Second, StringComparer.Ordinal);
    }

    /// <summary>The payload of warm-up notifications, which the measuring connections do not count.</summary>
    public const string WarmupPayload = "warmup";

    /// <summary>Sends <paramref name="count"/> warm-up notifications to each database, spread over <paramref name="duration"/>.</summary>
    public static Task WarmUpAsync(IReadOnlyDictionary<string, string> databases, string channel, int count, TimeSpan duration, CancellationToken cancellationToken)
        => WarmUpAsync(databases, channel, count, duration, PublishStatements.Notify, cancellationToken);

    /// <summary>Sends <paramref name="count"/> warm-up notifications with <paramref name="statement"/> to each database, spread over <paramref name="duration"/>.</summary>
    public static async Task WarmUpAsync(
        IReadOnlyDictionary<string, string> databases, string channel, int count, TimeSpan duration, string statement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        foreach (var connectionString in databases.Values)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(statement, connection);
            command.Parameters.AddWithValue("channel", channel);
            command.Parameters.AddWithValue("payload", WarmupPayload);
            for (var i = 0; i < count; i++)
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(duration / count, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task PublishAsync(
        string connectionString, string channel, double rate, TimeSpan duration, int payloadLength, string statement, StrongBox<long> sequence, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(statement, connection);
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
                return;
            }

            // Catch up when behind, so the rate holds on average even when the box is busy.
            var due = (long)(elapsed.TotalSeconds * rate) + 1;
            while (sent < due)
            {
                // Writers of one database share its numbers: each is used once, whichever writer takes it.
                payload.Value = NotificationPayload.Create(Interlocked.Increment(ref sequence.Value) - 1, Stopwatch.GetTimestamp(), payloadLength);
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
