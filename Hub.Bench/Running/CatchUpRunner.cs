using System.Diagnostics;
using Hub.Bench.Hosting;
using Hub.Bench.Measuring;
using Hub.Bench.Reporting;
using Hub.Server.Streams;
using Hub.Testing;
using Hub.Testing.Wire;
using Npgsql;
using NpgsqlTypes;

namespace Hub.Bench.Running;

/// <summary>
/// <c>--mode outbox-catchup</c>: <see cref="BenchOptions.CatchUp"/> rows are published to an outbox database while a
/// live subscriber keeps its reader going, then a client that was away for all of them resumes with
/// <c>SubscribeFrom</c> from the position before the first: the time until its call completes is the replay, since
/// the hub writes the whole history before it answers.
/// </summary>
public sealed class CatchUpRunner(BenchOptions options, TextWriter progress)
{
    private const int RowsPerTransaction = 1000;

    public async Task<CatchUpResult> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTime.UtcNow;
        await using var postgres = options.ConnectionString is null ? await PostgresServer.StartAsync().ConfigureAwait(false) : null;
        var admin = BenchDatabases.Admin(postgres, options.ConnectionString);
        var name = options.DatabaseNames[0];
        var connectionString = await BenchDatabases.EnsureAsync(admin, name, cancellationToken).ConfigureAwait(false);
        var databases = new Dictionary<string, string>(StringComparer.Ordinal) { [name] = connectionString };
        await using var server = options.Url is null
            ? await BenchServer.StartAsync(databases, [options.Channel], options.ServerEnvironment, [name]).ConfigureAwait(false)
            : null;
        var hubUrl = new Uri(server?.BaseUrl ?? options.Url!, "/hubs/notifications");

        // The live subscriber: its subscription installs the outbox and starts the reader, as on a hub in use.
        await using var live = new Worker(new WorkerSpec(hubUrl, options.Protocol, 1, 0, [name], [options.Channel], 1));
        var ready = await live.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (ready.Connected == 0)
        {
            throw new InvalidOperationException($"The live subscriber could not subscribe: {ready.FirstError}");
        }

        var epoch = await EpochAsync(connectionString, cancellationToken).ConfigureAwait(false);
        Log($"publishing {options.CatchUp:N0} outbox rows to {name}");
        await PublishAsync(connectionString, options.CatchUp, cancellationToken).ConfigureAwait(false);
        var sent = SentCounts.OnOneChannel(name, options.Channel, options.CatchUp);
        await WaitForLiveAsync(live, sent, cancellationToken).ConfigureAwait(false);

        Log("a client that missed them all resumes");
        using var latencies = new LatencyRecorder();
        var probe = new ConnectionProbe(name, options.Channel, latencies);
        await using var resuming = await RawHubConnection.ConnectAsync(hubUrl, options.Protocol, cancellationToken: cancellationToken).ConfigureAwait(false);
        resuming.Sink = probe;
        var started = Stopwatch.GetTimestamp();
        await resuming.InvokeAsync("SubscribeFrom", [name, options.Channel, StreamPosition.Zero(epoch).ToString()], cancellationToken).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var liveResult = live.Collect(sent);

        return new CatchUpResult
        {
            Label = options.Label,
            StartedAt = startedAt,
            Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}",
            Protocol = options.Protocol.ToString(),
            Rows = options.CatchUp,
            Replayed = probe.Received,
            Lost = probe.Sequences.Lost(options.CatchUp),
            Duplicated = probe.Sequences.Duplicates,
            OutOfOrder = probe.Sequences.OutOfOrder,
            Resyncs = probe.Resyncs,
            ReplaySeconds = seconds,
            RowsPerSecond = seconds > 0 ? probe.Received / seconds : 0,
            LiveReceived = liveResult.Unique,
            LiveLost = liveResult.Lost,
        };
    }

    private static async Task<long> EpochAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT epoch FROM notify_hub.meta", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Numbered rows, a thousand per transaction, in order: the stream order is the numbering.</summary>
    private async Task PublishAsync(string connectionString, int rows, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT count(notify_hub.publish(@channel, p)) FROM unnest(@payloads) AS t(p)", connection);
        command.Parameters.AddWithValue("channel", options.Channel);
        var payloads = command.Parameters.Add(new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text));
        for (var first = 0; first < rows; first += RowsPerTransaction)
        {
            var now = Stopwatch.GetTimestamp();
            payloads.Value = Enumerable.Range(first, Math.Min(RowsPerTransaction, rows - first))
                .Select(seq => NotificationPayload.Create(seq, now, options.PayloadLength)).ToArray();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForLiveAsync(Worker live, SentCounts sent, CancellationToken cancellationToken)
    {
        long last = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (live.Collect(sent) is { Unique: var unique } && unique < options.CatchUp)
        {
            if (unique != last)
            {
                (last, lastProgress) = (unique, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > options.Drain)
            {
                Log($"the live subscriber got {unique:N0} of {options.CatchUp:N0}");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Log(string message)
        => progress.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {message}"));
}
