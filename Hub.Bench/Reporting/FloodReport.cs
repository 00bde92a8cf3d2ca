using System.Globalization;
using System.Text;
using System.Text.Json;
using Hub.Bench.Running;

namespace Hub.Bench.Reporting;

/// <summary>Writes a <see cref="FloodResult"/> as a table for people and one JSON line (<see cref="ReportWriter.JsonPrefix"/>) for scripts.</summary>
public static class FloodReport
{
    public static string Table(FloodResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<(string, string)>
        {
            ("run", $"{result.Label ?? "-"} ({result.StartedAt:yyyy-MM-dd HH:mm} UTC, {result.Machine})"),
            ("load", $"{result.Flooders} flooding connection(s), one subscriber at {result.Rate} NOTIFY/s, {result.Protocol}, {result.DurationSeconds} s per phase"),
        };
        foreach (var (name, phase) in (IEnumerable<(string, FloodPhase)>)[("quiet", result.Quiet), ("flood", result.Flood)])
        {
            rows.Add(($"{name}: refused calls", Invariant($"{phase.RefusedCalls:N0} ({phase.RefusedPerSecond:N0}/s), {phase.AcceptedCalls:N0} accepted")));
            rows.Add(($"{name}: flooders", Invariant($"{phase.FlooderConnects:N0} connections opened, {phase.FlooderConnectionsClosed:N0} closed by the hub, {phase.FlooderConnectsFailed:N0} connects refused or failed")));
            rows.Add(($"{name}: hub", Invariant($"CPU {Percent(phase.ServerCpuPercent)} of one core, {Count(phase.LogLines)} log lines ({Count(phase.LogBytes)} bytes)")));
            rows.Add(($"{name}: CPU", Invariant($"bench (load generator) {Percent(phase.ClientCpuPercent)}, whole machine {Percent(phase.MachineCpuPercent)} of one core")));
            rows.Add(($"{name}: subscriber", Invariant($"{phase.Received:N0} of {phase.Sent:N0} received ({phase.Lost:N0} lost), p50 {phase.LatencyP50Ms:F1} ms, p99 {phase.LatencyP99Ms:F1} ms, max {phase.LatencyMaxMs:F1} ms")));
        }

        var width = rows.Max(static r => r.Item1.Length);
        var table = new StringBuilder();
        foreach (var (name, value) in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"{name.PadRight(width)}  {value}").AppendLine();
        }

        return table.ToString();
    }

    public static string JsonLine(FloodResult result) => ReportWriter.JsonPrefix + JsonSerializer.Serialize(result, BenchJson.Options);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Count(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Percent(double? percent) => percent is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p:F0}%") : "n/a";
}
