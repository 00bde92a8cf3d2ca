using System.Globalization;
using Hub.Bench.Reporting;
using Hub.Bench.Running;
using Hub.Tests.Infrastructure;
using Hub.Tests.Streams;

namespace Hub.Tests.Bench;

/// <summary>Each outbox mode of the bench tool, run tiny against a real hub: it must report what it measured, counted right.</summary>
public sealed class OutboxBenchModesTests(SharedPostgres postgres)
{
    private const string Channel = "bench";

    [Fact]
    public async Task Outbox_publish_counts_every_row_from_its_writers_to_every_subscriber()
    {
        var (prefix, hub) = await OutboxHubAsync();
        await using var _ = hub;

        var result = await new BenchRunner(Options(prefix, hub, "--mode", "outbox-publish", "--connections", "10", "--writers", "2", "--rate", "100", "--duration", "1"), TextWriter.Null)
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("outbox-publish", 2, 10), (result.Mode, result.Writers, result.Connected));
        Assert.True(result.Sent > 0 && result.PublishedPerSecond > 0, $"{result.Sent} sent at {result.PublishedPerSecond}/s");
        Assert.Equal(result.Sent * 10, result.Expected);
        Assert.Equal(result.Expected, result.Received);
        Assert.Equal((0L, 0L, 0L), (result.Lost, result.Duplicated, result.Resyncs));
        Assert.True(result.LatencyP50Ms > 0 && result.LatencyP50Ms <= result.LatencyP99Ms);
        Assert.Contains("outbox-publish, 2 publishing connection(s)", ReportWriter.Table(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbox_latency_measures_plain_notify_then_the_outbox_on_one_hub()
    {
        var prefix = Prefix();
        var options = BenchOptions.Parse(
        [
            "--mode", "outbox-latency", "--connections", "10", "--processes", "0", "--rate", "50", "--duration", "1", "--drain", "2", "--idle", "0",
            "--steady-after", "0", "--writers", "2", "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--channel", Channel,
        ]);

        var comparison = await new OutboxLatencyRunner(options, TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("notify", 1), (comparison.Notify.Mode, comparison.Notify.Writers));
        Assert.Equal(("outbox-publish", 2), (comparison.Outbox.Mode, comparison.Outbox.Writers));
        foreach (var half in new[] { comparison.Notify, comparison.Outbox })
        {
            Assert.Equal(10, half.Connected);
            Assert.True(half.Sent > 0);
            Assert.Equal(half.Sent * 10, half.Received);
            Assert.Equal((0L, 0L), (half.Lost, half.Duplicated));
        }

        Assert.True(comparison.P99Ratio > 0);
        Assert.StartsWith("outbox vs NOTIFY  p99 ", ReportWriter.Comparison(comparison), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbox_catchup_replays_every_row_to_the_resuming_client_once_and_in_order()
    {
        var (prefix, hub) = await OutboxHubAsync();
        await using var _ = hub;

        var result = await new CatchUpRunner(Options(prefix, hub, "--mode", "outbox-catchup", "--catch-up", "2500"), TextWriter.Null)
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("outbox-catchup", 2500L, 2500L), (result.Mode, result.Rows, result.Replayed));
        Assert.Equal((0L, 0L, 0L, 0L), (result.Lost, result.Duplicated, result.OutOfOrder, result.Resyncs));
        Assert.True(result.ReplaySeconds > 0 && result.RowsPerSecond > 0);
        Assert.Equal((2500L, 0L), (result.LiveReceived, result.LiveLost));
        Assert.Contains("2,500 of 2,500 rows replayed", ReportWriter.Table(result), StringComparison.Ordinal);
        Assert.StartsWith(ReportWriter.JsonPrefix + "{", ReportWriter.JsonLine(result), StringComparison.Ordinal);
    }

    private static string Prefix() => $"o{Guid.NewGuid():N}"[..12] + "_";

    /// <summary>An in-process hub whose one database (the bench's first) is an outbox database.</summary>
    private async Task<(string Prefix, HubHost Hub)> OutboxHubAsync()
    {
        var prefix = Prefix();
        var database = prefix + "0";
        await postgres.Server.CreateDatabaseAsync(database);
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), Channel);
        OutboxScenario.Enable(settings);
        return (prefix, await HubHost.StartAsync(settings));
    }

    private BenchOptions Options(string prefix, HubHost hub, params string[] mode)
        => BenchOptions.Parse(
        [
            .. mode, "--processes", "0", "--drain", "2", "--idle", "0", "--steady-after", "0",
            "--url", hub.BaseUrl.ToString(), "--server-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--channel", Channel,
        ]);
}
