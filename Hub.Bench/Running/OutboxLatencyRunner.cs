using System.Globalization;
using Hub.Bench.Hosting;
using Hub.Bench.Reporting;
using Hub.Testing;
using Npgsql;

namespace Hub.Bench.Running;

/// <summary>
/// <c>--mode outbox-latency</c>: one hub serving a plain NOTIFY database and an outbox database; the same subscribers
/// and rate run against the first, then the second, so the two latencies are measured in the same run on the same
/// machine. The outbox half publishes through <c>notify_hub.publish</c> from <see cref="BenchOptions.Writers"/> connections.
/// </summary>
public sealed class OutboxLatencyRunner(BenchOptions options, TextWriter progress)
{
    public async Task<LatencyComparison> RunAsync(CancellationToken cancellationToken)
    {
        await using var postgres = options.ConnectionString is null ? await PostgresServer.StartAsync().ConfigureAwait(false) : null;
        var admin = BenchDatabases.Admin(postgres, options.ConnectionString);
        var notify = options with { Mode = BenchMode.Notify, DatabasePrefix = options.DatabasePrefix + "notify_", ConnectionString = admin };
        var outbox = options with { Mode = BenchMode.OutboxPublish, DatabasePrefix = options.DatabasePrefix + "outbox_", ConnectionString = admin };
        var databases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in notify.DatabaseNames.Concat(outbox.DatabaseNames))
        {
            databases[name] = await BenchDatabases.EnsureAsync(admin, name, cancellationToken).ConfigureAwait(false);
        }

        var server = options.Url is null
            ? await BenchServer.StartAsync(databases, options.ChannelNames, options.ServerEnvironment, [.. outbox.DatabaseNames]).ConfigureAwait(false)
            : null;
        await using (server)
        {
            var url = server?.BaseUrl ?? options.Url!;
            int[] pids = server is null ? [.. options.ServerProcessIds] : [server.ProcessId];
            progress.WriteLine("plain NOTIFY:");
            var plain = await new BenchRunner(notify with { Url = url, ServerProcessIds = pids, Label = Label("notify") }, progress).RunAsync(cancellationToken).ConfigureAwait(false);
            progress.WriteLine("outbox:");
            var rows = await new BenchRunner(outbox with { Url = url, ServerProcessIds = pids, Label = Label("outbox") }, progress).RunAsync(cancellationToken).ConfigureAwait(false);
            return new LatencyComparison(plain, rows);
        }
    }

    private string Label(string half) => string.Create(CultureInfo.InvariantCulture, $"{options.Label ?? "outbox-latency"} ({half})");
}
