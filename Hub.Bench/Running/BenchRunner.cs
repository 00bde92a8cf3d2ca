using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hub.Bench.Hosting;
using Hub.Bench.Measuring;
using Hub.Bench.Reporting;
using Hub.Testing;
using Npgsql;

namespace Hub.Bench.Running;

/// <summary>
/// One bench run: PostgreSQL and the hub (started here or given), subscriber connections spread over workers,
/// an idle phase, a publishing phase, and the merged result.
/// </summary>
public sealed class BenchRunner(BenchOptions options, TextWriter progress)
{
    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTime.UtcNow;
        await using var postgres = options.ConnectionString is null ? await PostgresServer.StartAsync().ConfigureAwait(false) : null;
        var databases = await BenchDatabases.PrepareAsync(postgres, options.ConnectionString, options.DatabaseNames, cancellationToken).ConfigureAwait(false);

        await using var server = options.Url is null
            ? await BenchServer.StartAsync(databases, options.ChannelNames, options.ServerEnvironment, options.Outbox ? databases.Keys : []).ConfigureAwait(false)
            : null;
        var hubUrl = HubUrl(server?.BaseUrl ?? options.Url!);
        var sampler = new ProcessSampler(server is null ? options.ServerProcessIds : [server.ProcessId]);
        Log($"hub {hubUrl} (pid {(server is null ? string.Join(",", options.ServerProcessIds) : server.ProcessId)}), {options.Connections} connections in {options.EffectiveProcesses} process(es), {databases.Count} database(s) of {options.Channels} channel(s)");

        // Warm up first, so the baseline already holds the JIT-compiled code, the listeners and the thread pool, and
        // idle memory per connection is what connections add, not what the first one pays for the process.
        var names = databases.Keys.ToArray();
        var warmupConnections = Math.Clamp(options.Connections / 20, 10, 100);
        await using var warmup = new Worker(new WorkerSpec(hubUrl, options.Protocol, warmupConnections, 0, names, options.ChannelNames, options.ConnectConcurrency));
        var warm = await warmup.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (warm.Connected == 0)
        {
            throw new InvalidOperationException($"No warm-up connection succeeded: {warm.FirstError}");
        }

        await NotifyPublisher.WarmUpAsync(databases, options.ChannelNames, 40, TimeSpan.FromSeconds(2), PublishStatements.For(options.Outbox), cancellationToken).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var baseline = sampler.Available ? sampler.Read() : (ProcessSampler.Sample?)null;

        var workers = await StartWorkersAsync(hubUrl, names).ConfigureAwait(false);
        try
        {
            var connectStarted = Stopwatch.GetTimestamp();
            var ready = await Task.WhenAll(workers.Select(w => w.ConnectAsync(cancellationToken))).ConfigureAwait(false);
            var connectSeconds = Stopwatch.GetElapsedTime(connectStarted).TotalSeconds;
            var connectTimes = new LatencyHistogram();
            foreach (var r in ready)
            {
                connectTimes.Add(LatencyHistogram.FromSparse(r.ConnectMicros, r.ConnectMaxMicros));
            }

            var connected = ready.Sum(static r => r.Connected);
            Log($"connected {connected} in {connectSeconds:F1} s ({ready.Sum(static r => r.Failed)} failed)");

            await Task.Delay(options.Idle, cancellationToken).ConfigureAwait(false);
            var idleFrom = sampler.Available ? sampler.Read() : (ProcessSampler.Sample?)null;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var idle = sampler.Available ? sampler.Read() : (ProcessSampler.Sample?)null;
            var managedHeap = await ReadManagedHeapAsync(server?.BaseUrl ?? options.Url!, cancellationToken).ConfigureAwait(false);

            var sent = SentCounts.None;
            var publishStarted = Stopwatch.GetTimestamp();
            ProcessSampler.Sample? loadFrom = null, loadTo = null;
            string? loadAverageFrom = null, loadAverageTo = null;
            long loadPeakRss = 0;
            double publishSeconds = 0;
            if (options.Rate > 0)
            {
                Log($"publishing {options.Rate} NOTIFY/s per database, {options.RowsPerCommit} per commit, for {options.Duration.TotalSeconds} s");
                loadFrom = sampler.Available ? sampler.Read() : null;
                using var sampling = new CancellationTokenSource();
                var peak = sampler.Available ? SamplePeakRssAsync(sampler, sampling.Token) : Task.FromResult(0L);
                loadAverageFrom = LoadAverage();
                var publishing = Stopwatch.GetTimestamp();
                sent = await NotifyPublisher.RunAsync(databases, options.Load, cancellationToken).ConfigureAwait(false);
                publishSeconds = Stopwatch.GetElapsedTime(publishing).TotalSeconds;
                loadAverageTo = LoadAverage();
                await DrainAsync(workers, sent, cancellationToken).ConfigureAwait(false);
                loadTo = sampler.Available ? sampler.Read() : null;
                await sampling.CancelAsync().ConfigureAwait(false);
                loadPeakRss = await peak.ConfigureAwait(false);
            }

            var results = await Task.WhenAll(workers.Select(w => w.CollectAsync(sent, cancellationToken))).ConfigureAwait(false);
            return Summarize(startedAt, warmupConnections, ready, connectSeconds, connectTimes, sent, results, publishStarted, baseline, idleFrom, idle, managedHeap, loadFrom, loadTo, loadPeakRss)
                with
                {
                    LoadAverageBefore = loadAverageFrom,
                    LoadAverageAfter = loadAverageTo,
                    PublishedPerSecond = publishSeconds > 0 ? sent.Sum() / publishSeconds : 0,
                };
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private BenchResult Summarize(
        DateTime startedAt, int warmupConnections, WorkerReady[] ready, double connectSeconds, LatencyHistogram connectTimes, SentCounts sent, WorkerResult[] results,
        long publishStarted, ProcessSampler.Sample? baseline, ProcessSampler.Sample? idleFrom, ProcessSampler.Sample? idle, long? managedHeap,
        ProcessSampler.Sample? loadFrom, ProcessSampler.Sample? loadTo, long loadPeakRss)
    {
        var latency = new LatencyHistogram();
        var slots = new SortedDictionary<long, LatencyHistogram>();
        foreach (var result in results)
        {
            latency.Add(LatencyHistogram.FromSparse(result.Latency, result.LatencyMax));
            foreach (var slot in result.Slots)
            {
                if (!slots.TryGetValue(slot.Slot, out var merged))
                {
                    slots[slot.Slot] = merged = new LatencyHistogram();
                }

                merged.Add(LatencyHistogram.FromSparse(slot.Latency, slot.Max));
            }
        }

        var connected = ready.Sum(static r => r.Connected);
        var lastReceived = results.Select(static r => r.LastReceived).DefaultIfEmpty(publishStarted).Max();
        var received = results.Sum(static r => r.Received);
        var window = (lastReceived - publishStarted) / (double)Stopwatch.Frequency;
        var firstSlot = publishStarted / LatencyRecorder.SlotTicks;
        var slotSeconds = LatencyRecorder.SlotTicks / (double)Stopwatch.Frequency;
        var steadyFrom = firstSlot + (long)Math.Ceiling(options.SteadyAfter.TotalSeconds / slotSeconds);
        var steady = new LatencyHistogram();
        foreach (var (slot, histogram) in slots.Where(s => s.Key >= steadyFrom))
        {
            steady.Add(histogram);
        }

        return new BenchResult
        {
            Label = options.Label,
            Mode = ModeName(options.Mode),
            Writers = options.EffectiveWriters,
            RowsPerCommit = options.RowsPerCommit,
            Channels = options.Channels,
            StartedAt = startedAt,
            Machine = Machine.Description,
            Protocol = options.Protocol.ToString(),
            Connections = options.Connections,
            WarmupConnections = warmupConnections,
            Processes = options.EffectiveProcesses,
            Databases = options.Databases,
            Rate = options.Rate,
            DurationSeconds = options.Rate > 0 ? options.Duration.TotalSeconds : 0,
            PayloadLength = options.PayloadLength,
            Connected = connected,
            ConnectFailed = ready.Sum(static r => r.Failed),
            ConnectError = ready.Select(static r => r.FirstError).FirstOrDefault(static e => e is not null),
            ConnectSeconds = connectSeconds,
            ConnectP50Ms = connectTimes.Percentile(50) / 1000.0,
            ConnectP99Ms = connectTimes.Percentile(99) / 1000.0,
            ConnectMaxMs = connectTimes.Max / 1000.0,
            Sent = sent.Sum(),
            Expected = results.Sum(static r => r.Expected),
            Received = received,
            WebSocketMessages = results.Sum(static r => r.WebSocketMessages),
            Lost = results.Sum(static r => r.Lost),
            Duplicated = results.Sum(static r => r.Duplicated),
            OutOfOrder = results.Sum(static r => r.OutOfOrder),
            Resyncs = results.Sum(static r => r.Resyncs),
            Unrecognized = results.Sum(static r => r.Unrecognized),
            Disconnected = results.Sum(static r => r.Closed),
            DeliveriesPerSecond = window > 0 && received > 0 ? received / window : 0,
            LatencyP50Ms = latency.Percentile(50) / 1000.0,
            LatencyP90Ms = latency.Percentile(90) / 1000.0,
            LatencyP99Ms = latency.Percentile(99) / 1000.0,
            LatencyMaxMs = latency.Max / 1000.0,
            SteadyAfterSeconds = options.SteadyAfter.TotalSeconds,
            SteadyLatencyP50Ms = steady.Percentile(50) / 1000.0,
            SteadyLatencyP99Ms = steady.Percentile(99) / 1000.0,
            SteadyLatencyMaxMs = steady.Max / 1000.0,
            ServerBaselineRssBytes = baseline?.ResidentBytes,
            ServerIdleRssBytes = idle?.ResidentBytes,
            IdleBytesPerConnection = baseline is { } b && idle is { } i && connected > 0 ? (i.ResidentBytes - b.ResidentBytes) / connected : null,
            ServerIdleManagedHeapBytes = managedHeap,
            ServerIdleCpuPercent = idleFrom is { } f && idle is { } t ? ProcessSampler.CpuPercent(f, t) : null,
            ServerLoadRssBytes = loadTo is null ? null : Math.Max(loadPeakRss, loadTo.Value.ResidentBytes),
            ServerLoadCpuPercent = loadFrom is { } lf && loadTo is { } lt ? ProcessSampler.CpuPercent(lf, lt) : null,
            Timeline = [.. slots.Select(s => new LatencyPoint(
                (s.Key - firstSlot) * slotSeconds, s.Value.Count, s.Value.Percentile(50) / 1000.0, s.Value.Percentile(99) / 1000.0, s.Value.Max / 1000.0))],
        };
    }

    /// <summary>
    /// Waits until every expected delivery arrived, or none arrived for <see cref="BenchOptions.Drain"/>: what never
    /// arrives then counts as lost, and what arrives late counts in the latency.
    /// </summary>
    private async Task DrainAsync(IBenchWorker[] workers, SentCounts sent, CancellationToken cancellationToken)
    {
        long last = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (true)
        {
            var results = await Task.WhenAll(workers.Select(w => w.CollectAsync(sent, cancellationToken))).ConfigureAwait(false);
            var (received, expected) = (results.Sum(static r => r.Unique), results.Sum(static r => r.Expected));
            if (received >= expected)
            {
                return;
            }

            if (received != last)
            {
                last = received;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > options.Drain)
            {
                Log($"gave up waiting: {received:N0} of {expected:N0} deliveries arrived");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>--mode</c> value of <paramref name="mode"/>.</summary>
    public static string ModeName(BenchMode mode) => mode switch
    {
        BenchMode.OutboxPublish => "outbox-publish",
        BenchMode.OutboxLatency => "outbox-latency",
        BenchMode.OutboxCatchUp => "outbox-catchup",
        _ => "notify",
    };

    /// <summary>The 1, 5 and 15 minute load averages: the box may be shared, and the figures mean little without them.</summary>
    private static string? LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    private async Task<IBenchWorker[]> StartWorkersAsync(Uri hubUrl, string[] databases)
    {
        var processes = options.EffectiveProcesses;
        var shares = Enumerable.Range(0, Math.Max(processes, 1))
            .Select(p => (options.Connections / Math.Max(processes, 1)) + (p < options.Connections % Math.Max(processes, 1) ? 1 : 0))
            .ToArray();
        var workers = new List<IBenchWorker>();
        var first = 0;
        foreach (var share in shares)
        {
            var spec = new WorkerSpec(hubUrl, options.Protocol, share, first, databases, options.ChannelNames, options.ConnectConcurrency);
            workers.Add(processes == 0 ? new Worker(spec) : await WorkerProcess.StartAsync(spec).ConfigureAwait(false));
            first += share;
        }

        return [.. workers];
    }

    /// <summary>The hub URL of <paramref name="url"/>: itself when it has a path, else the hub's path on that server.</summary>
    internal static Uri HubUrl(Uri url)
        => url.AbsolutePath.TrimEnd('/').Length > 0 ? url : new Uri(url, "/hubs/notifications");

    private static async Task<long?> ReadManagedHeapAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await using var stream = await http.GetStreamAsync(new Uri(new Uri(url.GetLeftPart(UriPartial.Authority)), "/api/stats"), cancellationToken).ConfigureAwait(false);
            using var stats = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return stats.RootElement.GetProperty("memory").GetProperty("managedHeapBytes").GetInt64();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<long> SamplePeakRssAsync(ProcessSampler sampler, CancellationToken cancellationToken)
    {
        long peak = 0;
        try
        {
            while (true)
            {
                peak = Math.Max(peak, sampler.Read().ResidentBytes);
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return peak;
        }
    }

    private void Log(string message)
        => progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {message}"));
}
