using System.Globalization;
using System.Text;
using System.Text.Json;
using Hub.Bench.Running;

namespace Hub.Bench.Reporting;

/// <summary>Writes a <see cref="BenchResult"/> as a table for people and one JSON line for scripts.</summary>
public static class ReportWriter
{
    /// <summary>The prefix of the JSON line, so scripts can find it among the progress lines.</summary>
    public const string JsonPrefix = "RESULT ";

    public static string Table(BenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<(string, string)>
        {
            ("run", $"{result.Label ?? "-"} ({result.StartedAt:yyyy-MM-dd HH:mm} UTC, {result.Machine})"),
            ("mode", $"{result.Mode}, {result.Writers} publishing connection(s) per database, {result.RowsPerCommit} row(s) per commit, {result.PublishedPerSecond:N0} published/s"),
            ("load", $"{result.Connections:N0} connections (+{result.WarmupConnections} warm-up), {result.Processes} process(es), {result.Databases} database(s) of {result.Channels} channel(s), {result.Protocol}, {result.Rate} NOTIFY/s per database for {result.DurationSeconds} s, payload {result.PayloadLength} chars"),
            ("connect", $"{result.Connected:N0} in {result.ConnectSeconds:F2} s (p50 {result.ConnectP50Ms:F1} ms, p99 {result.ConnectP99Ms:F1} ms, max {result.ConnectMaxMs:F1} ms), {result.ConnectFailed} failed{(result.ConnectError is null ? "" : $": {result.ConnectError}")}"),
            ("deliveries", $"{result.Received:N0} of {result.Expected:N0} expected ({result.Sent:N0} NOTIFY), {result.DeliveriesPerSecond:N0}/s, {PerMessage(result)} per WebSocket message"),
            ("lost / duplicated", $"{result.Lost:N0} / {result.Duplicated:N0} (out of order {result.OutOfOrder:N0}, resyncs {result.Resyncs:N0}, foreign {result.Unrecognized:N0}, disconnected {result.Disconnected:N0})"),
            ("latency", $"p50 {result.LatencyP50Ms:F1} ms, p90 {result.LatencyP90Ms:F1} ms, p99 {result.LatencyP99Ms:F1} ms, max {result.LatencyMaxMs:F1} ms"),
            ($"after {result.SteadyAfterSeconds:0.#} s", $"p50 {result.SteadyLatencyP50Ms:F1} ms, p99 {result.SteadyLatencyP99Ms:F1} ms, max {result.SteadyLatencyMaxMs:F1} ms (sent after the first {result.SteadyAfterSeconds:0.#} s)"),
            ("server idle", $"RSS {Mb(result.ServerIdleRssBytes)} (baseline {Mb(result.ServerBaselineRssBytes)}), {Bytes(result.IdleBytesPerConnection)} per connection, managed heap {Mb(result.ServerIdleManagedHeapBytes)}, CPU {Percent(result.ServerIdleCpuPercent)}"),
            ("server under load", $"RSS peak {Mb(result.ServerLoadRssBytes)}, CPU {Percent(result.ServerLoadCpuPercent)} of one core"),
            ("machine load", $"load average {result.LoadAverageBefore ?? "n/a"} when publishing started, {result.LoadAverageAfter ?? "n/a"} when it ended"),
        };
        var width = rows.Max(static r => r.Item1.Length);
        var table = new StringBuilder();
        foreach (var (name, value) in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"{name.PadRight(width)}  {value}").AppendLine();
        }

        return table.ToString();
    }

    /// <summary>An outbox-catchup run as a table.</summary>
    public static string Table(CatchUpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return string.Create(CultureInfo.InvariantCulture, $"""
            run        {result.Label ?? "-"} ({result.StartedAt:yyyy-MM-dd HH:mm} UTC, {result.Machine}), {result.Protocol}
            catch-up   {result.Replayed:N0} of {result.Rows:N0} rows replayed in {result.ReplaySeconds:F2} s: {result.RowsPerSecond:N0} rows/s
            integrity  lost {result.Lost:N0}, duplicated {result.Duplicated:N0}, out of order {result.OutOfOrder:N0}, resyncs {result.Resyncs:N0}
            live       the live subscriber got {result.LiveReceived:N0} (lost {result.LiveLost:N0})

            """);
    }

    /// <summary>The outbox's latency against plain NOTIFY's, measured in one outbox-latency run.</summary>
    public static string Comparison(LatencyComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return string.Create(CultureInfo.InvariantCulture,
            $"outbox vs NOTIFY  p99 {comparison.Outbox.LatencyP99Ms:F1} ms vs {comparison.Notify.LatencyP99Ms:F1} ms (x{comparison.P99Ratio:F2}), "
            + $"steady p99 x{comparison.SteadyP99Ratio:F2}");
    }

    public static string JsonLine(CatchUpResult result) => JsonPrefix + JsonSerializer.Serialize(result, BenchJson.Options);

    public static string JsonLine(BenchResult result)
        => JsonPrefix + JsonSerializer.Serialize(result with { Timeline = [] }, BenchJson.Options);

    private static string Mb(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:F1} MB") : "n/a";

    private static string Bytes(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1024.0:F1} KB") : "n/a";

    private static string PerMessage(BenchResult result)
        => result.NotificationsPerWebSocketMessage is { } perMessage
            ? string.Create(CultureInfo.InvariantCulture, $"{perMessage:F2} notifications")
            : "n/a";

    private static string Percent(double? percent) => percent is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p:F0}%") : "n/a";
}
