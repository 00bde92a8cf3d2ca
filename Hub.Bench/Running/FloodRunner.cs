using System.Diagnostics;
using System.Globalization;
using Hub.Bench.Hosting;
using Hub.Bench.Measuring;
using Hub.Bench.Reporting;
using Hub.Testing;

namespace Hub.Bench.Running;

/// <summary>
/// The <c>flood</c> mode: one subscriber measures its latency while nothing else happens, then again while
/// <see cref="FloodOptions.Flooders"/> connections make refused calls as fast as the hub answers; what the hub
/// spent on the refusals (CPU, log lines) is read for each phase.
/// </summary>
public sealed class FloodRunner(FloodOptions options, TextWriter progress)
{
    // How long the subscriber's last notifications may take to arrive after the publisher stopped.
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(5);

    public async Task<FloodResult> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTime.UtcNow;
        await using var postgres = options.ConnectionString is null ? await PostgresServer.StartAsync().ConfigureAwait(false) : null;
        var databases = await BenchDatabases.PrepareAsync(postgres, options.ConnectionString, [options.Database], cancellationToken).ConfigureAwait(false);
        // Refusals are logged at Information: the level a production hub runs at, and the one the flood could amplify.
        KeyValuePair<string, string>[] environment =
        [
            new("Logging__LogLevel__Default", "Information"),
            new("Logging__Console__FormatterOptions__SingleLine", "true"),
            .. options.ServerEnvironment,
        ];
        await using var server = options.Url is null
            ? await BenchServer.StartAsync(databases, [options.Channel], environment, countOutput: true, serverDll: options.ServerDll).ConfigureAwait(false)
            : null;
        var hubUrl = BenchRunner.HubUrl(server?.BaseUrl ?? options.Url!);
        var sampler = new ProcessSampler(server is null ? options.ServerProcessIds : [server.ProcessId]);
        var client = new ProcessSampler([Environment.ProcessId]);
        Func<LogVolume>? log = server is not null ? () => server.Output : options.ServerLog is { } path ? () => LogVolume.OfFile(path) : null;
        Log($"hub {hubUrl}, {options.Flooders} flooder(s), subscriber at {options.Rate} NOTIFY/s, {options.Duration.TotalSeconds} s per phase");

        var quiet = await MeasureAsync(hubUrl, databases, sampler, client, log, flooders: 0, cancellationToken).ConfigureAwait(false);
        Log($"quiet: p50 {quiet.LatencyP50Ms:F1} ms, CPU {quiet.ServerCpuPercent:F0}%");
        var flood = await MeasureAsync(hubUrl, databases, sampler, client, log, options.Flooders, cancellationToken).ConfigureAwait(false);
        Log($"flood: {flood.RefusedPerSecond:N0} refused/s, p50 {flood.LatencyP50Ms:F1} ms, CPU {flood.ServerCpuPercent:F0}%");
        return new FloodResult
        {
            Label = options.Label,
            StartedAt = startedAt,
            Machine = Machine.Description,
            Protocol = options.Protocol.ToString(),
            Flooders = options.Flooders,
            Rate = options.Rate,
            DurationSeconds = options.Duration.TotalSeconds,
            Quiet = quiet,
            Flood = flood,
        };
    }

    private async Task<FloodPhase> MeasureAsync(
        Uri hubUrl,
        Dictionary<string, string> databases,
        ProcessSampler sampler,
        ProcessSampler client,
        Func<LogVolume>? log,
        int flooders,
        CancellationToken cancellationToken)
    {
        // A fresh subscriber per phase: the publisher numbers each phase's notifications from 0.
        await using var subscriber = new Worker(new WorkerSpec(hubUrl, options.Protocol, 1, 0, [options.Database], [options.Channel], 1));
        var ready = await subscriber.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (ready.Connected != 1)
        {
            throw new InvalidOperationException($"The subscriber could not connect: {ready.FirstError}");
        }

        await NotifyPublisher.WarmUpAsync(databases, options.Channel, 10, TimeSpan.FromSeconds(0.5), cancellationToken).ConfigureAwait(false);
        var flooding = Enumerable.Range(0, flooders).Select(_ => new RefusalFlooder(hubUrl, options.Protocol)).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logFrom = log?.Invoke();
        var cpuFrom = sampler.Available ? sampler.Read() : (ProcessSampler.Sample?)null;
        var clientFrom = client.Read();
        var machineFrom = MachineCpu.BusySeconds();
        var started = Stopwatch.GetTimestamp();
        var running = flooding.Select(f => f.RunAsync(stop.Token)).ToArray();
        var sent = await NotifyPublisher.RunAsync(databases, options.Channel, options.Rate, options.Duration, 64, cancellationToken).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuTo = sampler.Available ? sampler.Read() : (ProcessSampler.Sample?)null;
        var clientTo = client.Read();
        var machineTo = MachineCpu.BusySeconds();
        var logged = log?.Invoke() - logFrom;

        var expected = sent.Sum();
        var drainUntil = Stopwatch.GetTimestamp() + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        while (subscriber.Collect(sent).Unique < expected && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        var received = subscriber.Collect(sent);
        var latency = LatencyHistogram.FromSparse(received.Latency, received.LatencyMax);
        return new FloodPhase
        {
            Seconds = seconds,
            RefusedCalls = flooding.Sum(static f => f.Refused),
            AcceptedCalls = flooding.Sum(static f => f.Accepted),
            FlooderConnects = flooding.Sum(static f => f.Connected),
            FlooderConnectsFailed = flooding.Sum(static f => f.ConnectsFailed),
            FlooderConnectionsClosed = flooding.Sum(static f => f.Closed),
            LogLines = logged?.Lines,
            LogBytes = logged?.Bytes,
            ServerCpuPercent = cpuFrom is { } from && cpuTo is { } to ? ProcessSampler.CpuPercent(from, to) : null,
            ClientCpuPercent = ProcessSampler.CpuPercent(clientFrom, clientTo),
            MachineCpuPercent = machineFrom is { } busyFrom && machineTo is { } busyTo ? (busyTo - busyFrom) / seconds * 100 : null,
            Sent = expected,
            Received = received.Unique,
            Lost = received.Lost,
            LatencyP50Ms = latency.Percentile(50) / 1000.0,
            LatencyP99Ms = latency.Percentile(99) / 1000.0,
            LatencyMaxMs = latency.Max / 1000.0,
        };
    }

    private void Log(string message)
        => progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {message}"));
}
