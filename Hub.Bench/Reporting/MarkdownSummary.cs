using System.Globalization;
using System.Text;
using System.Text.Json;
using Hub.Bench.Running;

namespace Hub.Bench.Reporting;

/// <summary>Turns the JSON lines of several runs into one Markdown table (<c>Hub.Bench summarize FILE</c>).</summary>
public static class MarkdownSummary
{
    public static string FromJsonLines(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var table = new StringBuilder();
        table.AppendLine("| run | connections | NOTIFY/s | connect | idle RSS per conn. | idle heap | deliveries/s | per WS message | p50 | p90 | p99 | max | steady p99 | lost | dup. | server CPU | peak RSS | load avg |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var line in lines)
        {
            var json = line.StartsWith(ReportWriter.JsonPrefix, StringComparison.Ordinal) ? line[ReportWriter.JsonPrefix.Length..] : line;
            if (string.IsNullOrWhiteSpace(json))
            {
                continue;
            }

            var r = JsonSerializer.Deserialize<BenchResult>(json, BenchJson.Options)!;
            var idle = r.Rate == 0;
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Label} | {r.Connected:N0} | {r.Rate} | {r.ConnectSeconds:F1} s | {Kb(r.IdleBytesPerConnection)} | {Mb(r.ServerIdleManagedHeapBytes)} | {(idle ? "-" : r.DeliveriesPerSecond.ToString("N0", CultureInfo.InvariantCulture))} | {(idle || r.NotificationsPerWebSocketMessage is not { } perMessage ? "-" : perMessage.ToString("F2", CultureInfo.InvariantCulture))} | {Ms(idle, r.LatencyP50Ms)} | {Ms(idle, r.LatencyP90Ms)} | {Ms(idle, r.LatencyP99Ms)} | {Ms(idle, r.LatencyMaxMs)} | {Ms(idle, r.SteadyLatencyP99Ms)} | {(idle ? "-" : r.Lost.ToString("N0", CultureInfo.InvariantCulture))} | {(idle ? "-" : r.Duplicated.ToString("N0", CultureInfo.InvariantCulture))} | {(r.ServerLoadCpuPercent ?? r.ServerIdleCpuPercent):F0}% | {Mb(r.ServerLoadRssBytes ?? r.ServerIdleRssBytes)} | {r.LoadAverageBefore ?? "-"} |"));
        }

        return table.ToString();
    }

    private static string Ms(bool idle, double ms) => idle ? "-" : ms >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:F2} s") : string.Create(CultureInfo.InvariantCulture, $"{ms:F0} ms");

    private static string Kb(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1024.0:F1} KB") : "-";

    private static string Mb(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:F0} MB") : "-";
}
