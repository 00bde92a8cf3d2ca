using System.Diagnostics;
using System.Globalization;
using Hub.Bench.Hosting;
using Hub.Bench.Reporting;
using Hub.Testing;

namespace Hub.Bench.Running;

/// <summary>
/// The <c>soak</c> mode: the hub as users run it (<c>dotnet Hub.Server.dll</c>, Production) holds
/// <see cref="SoakOptions.Connections"/> subscribed connections of which <see cref="SoakOptions.Churn"/> a second are
/// replaced, while <see cref="SoakOptions.Steady"/> clients that stay receive steady NOTIFYs; the hub is sampled every
/// <see cref="SoakOptions.SampleEvery"/>.
/// </summary>
public sealed class SoakRunner(SoakOptions options, TextWriter progress)
{
    // How long the steady clients' last notifications may take to arrive after the publisher stopped.
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    public async Task<SoakResult> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTime.UtcNow;
        await using var postgres = options.ConnectionString is null ? await PostgresServer.StartAsync().ConfigureAwait(false) : null;
        var databases = await BenchDatabases.PrepareAsync(postgres, options.ConnectionString, [options.Database], cancellationToken).ConfigureAwait(false);
        await using var server = await BenchServer.StartAsync(databases, [options.Channel], options.ServerEnvironment, serverDll: options.ServerDll).ConfigureAwait(false);
        var hubUrl = BenchRunner.HubUrl(server.BaseUrl);
        Log($"hub {hubUrl} (pid {server.ProcessId}), {options.Connections:N0} connections churning {options.Churn}/s, {options.Steady} steady clients, {options.Rate} NOTIFY/s, {options.Duration.TotalSeconds:F0} s");

        await using var steady = new Worker(new WorkerSpec(hubUrl, options.Protocol, options.Steady, 0, [options.Database], [options.Channel], options.Steady));
        var ready = await steady.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var churning = new ChurningConnections(hubUrl, options.Protocol, options.Database, options.Channel);
        await churning.OpenAsync(options.Connections, 50, cancellationToken).ConfigureAwait(false);
        Log($"{ready.Connected} steady and {churning.Open:N0} churning connections open ({ready.Failed + churning.ConnectsFailed} failed{(ready.FirstError is { } error ? ": " + error : string.Empty)})");
        await NotifyPublisher.WarmUpAsync(databases, options.Channel, 10, TimeSpan.FromSeconds(0.5), cancellationToken).ConfigureAwait(false);

        using var probe = new SoakProbe(server.ProcessId, server.BaseUrl);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var samples = new List<SoakSample>();
        var watch = Stopwatch.StartNew();
        var publishing = NotifyPublisher.RunAsync(databases, options.Channel, options.Rate, options.Duration, 64, cancellationToken);
        var churn = churning.ChurnAsync(options.Churn, stop.Token);
        await SampleAsync(probe, watch, samples, cancellationToken).ConfigureAwait(false);
        using (var timer = new PeriodicTimer(options.SampleEvery))
        {
            while (watch.Elapsed + options.SampleEvery <= options.Duration && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await SampleAsync(probe, watch, samples, cancellationToken).ConfigureAwait(false);
            }
        }

        var sent = await publishing.ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await churn.ConfigureAwait(false);
        await SampleAsync(probe, watch, samples, cancellationToken).ConfigureAwait(false);

        var expected = sent.Sum() * ready.Connected;
        var drainUntil = Stopwatch.GetTimestamp() + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        while (steady.Collect(sent).Unique < expected && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        var received = steady.Collect(sent);
        return new SoakResult
        {
            Label = options.Label,
            StartedAt = startedAt,
            Machine = Machine.Description,
            DurationSeconds = options.Duration.TotalSeconds,
            Connections = options.Connections,
            Churn = options.Churn,
            Steady = options.Steady,
            Rate = options.Rate,
            WarmUpSeconds = options.WarmUp.TotalSeconds,
            Connects = churning.Connects,
            Disconnects = churning.Disconnects,
            ConnectsFailed = ready.Failed + churning.ConnectsFailed,
            ClosedByHub = churning.ClosedByHub + received.Closed,
            Sent = sent.Sum(),
            Lost = received.Lost,
            Duplicated = received.Duplicated,
            OutOfOrder = received.OutOfOrder,
            Resyncs = received.Resyncs,
            Samples = samples,
        };
    }

    private async Task SampleAsync(SoakProbe probe, Stopwatch watch, List<SoakSample> samples, CancellationToken cancellationToken)
    {
        var sample = await probe.ReadAsync(watch.Elapsed.TotalSeconds, cancellationToken).ConfigureAwait(false);
        samples.Add(sample);
        Log($"{sample.ElapsedSeconds:F0} s: RSS {sample.ResidentBytes / 1048576.0:F0} MB, heap {sample.ManagedHeapBytes / 1048576.0:F0} MB, GC pause {sample.GcPauseSeconds * 1000:F0} ms, {sample.Handles} handles, {sample.Threads} threads, {sample.Connections} connections");
    }

    private void Log(FormattableString message)
        => progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {message.ToString(CultureInfo.InvariantCulture)}"));
}
