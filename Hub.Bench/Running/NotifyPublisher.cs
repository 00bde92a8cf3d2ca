using System.Diagnostics;
using Hub.Bench.Measuring;
using Npgsql;
using NpgsqlTypes;

namespace Hub.Bench.Running;

/// <summary>
/// Sends NOTIFY (or outbox rows, <see cref="PublishStatements"/>) at a steady rate to each database, numbering them per
/// channel and stamping each with its send time.
/// </summary>
public static class NotifyPublisher
{
    /// <summary>Publishes plain NOTIFY on one channel for <paramref name="duration"/>; returns how many each database got.</summary>
    public static Task<SentCounts> RunAsync(
        IReadOnlyDictionary<string, string> databases, string channel, double ratePerDatabase, TimeSpan duration, int payloadLength, CancellationToken cancellationToken)
        => RunAsync(databases, new PublishLoad([channel], ratePerDatabase, duration, payloadLength), cancellationToken);

    /// <summary>
    /// Publishes <paramref name="load"/> from its writers on each database, which share the database's rate and its
    /// channels' sequence numbers; returns how many each channel of each database got.
    /// </summary>
    public static async Task<SentCounts> RunAsync(IReadOnlyDictionary<string, string> databases, PublishLoad load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfLessThan(load.Writers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(load.RowsPerCommit, 1);
        ArgumentOutOfRangeException.ThrowIfZero(load.Channels.Count);
        var tasks = databases.Select(async d =>
        {
            var sequences = new ChannelSequences(load.Channels);
            await Task.WhenAll(Enumerable.Range(0, load.Writers).Select(_ => PublishAsync(d.Value, load, sequences, cancellationToken))).ConfigureAwait(false);
            return sequences.Counts();
        }).ToArray();
        var counts = await Task.WhenAll(tasks).ConfigureAwait(false);
        return new SentCounts(databases.Keys.Zip(counts).ToDictionary(static p => p.First, static p => p.Second, StringComparer.Ordinal));
    }

    /// <summary>The payload of warm-up notifications, which the measuring connections do not count.</summary>
    public const string WarmupPayload = "warmup";

    /// <summary>Sends <paramref name="count"/> warm-up notifications to each database, spread over <paramref name="duration"/>.</summary>
    public static Task WarmUpAsync(IReadOnlyDictionary<string, string> databases, string channel, int count, TimeSpan duration, CancellationToken cancellationToken)
        => WarmUpAsync(databases, [channel], count, duration, PublishStatements.Notify, cancellationToken);

    /// <summary>
    /// Sends <paramref name="count"/> warm-up notifications with <paramref name="statement"/> to each database, spread
    /// over <paramref name="duration"/> and over <paramref name="channels"/> in turn.
    /// </summary>
    public static async Task WarmUpAsync(
        IReadOnlyDictionary<string, string> databases, IReadOnlyList<string> channels, int count, TimeSpan duration, string statement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(channels);
        foreach (var connectionString in databases.Values)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(statement, connection);
            var channel = command.Parameters.AddWithValue("channel", string.Empty);
            command.Parameters.AddWithValue("payload", WarmupPayload);
            for (var i = 0; i < count; i++)
            {
                channel.Value = channels[i % channels.Count];
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(duration / count, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task PublishAsync(string connectionString, PublishLoad load, ChannelSequences sequences, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(load.Statement, connection);
        var channel = command.Parameters.AddWithValue("channel", string.Empty);
        var batch = load.RowsPerCommit > 1;
        var payloads = batch
            ? command.Parameters.Add(new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = Array.Empty<string>() })
            : command.Parameters.AddWithValue("payload", string.Empty);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);

        var rate = load.RatePerDatabase / load.Writers;
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= load.Duration)
            {
                return;
            }

            // Catch up when behind, so the rate holds on average even when the box is busy. The rate counts
            // notifications, so a commit of several runs ahead of it by at most one commit.
            var due = (long)(elapsed.TotalSeconds * rate) + 1;
            while (sent < due)
            {
                var (name, first) = sequences.Take(load.RowsPerCommit);
                var now = Stopwatch.GetTimestamp();
                channel.Value = name;
                payloads.Value = batch
                    ? Enumerable.Range(0, load.RowsPerCommit).Select(i => NotificationPayload.Create(first + i, now, load.PayloadLength)).ToArray()
                    : NotificationPayload.Create(first, now, load.PayloadLength);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                sent += load.RowsPerCommit;
            }

            var next = TimeSpan.FromSeconds(sent / rate) - Stopwatch.GetElapsedTime(started);
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
