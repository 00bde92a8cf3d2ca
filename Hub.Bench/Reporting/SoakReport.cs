using System.Globalization;
using System.Text;
using System.Text.Json;
using Hub.Bench.Running;

namespace Hub.Bench.Reporting;

/// <summary>Writes a <see cref="SoakResult"/> as a table of samples, the totals and the verdict, and one JSON line for scripts.</summary>
public static class SoakReport
{
    public static string Table(SoakResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine(Invariant($"soak {result.Label ?? "-"} ({result.StartedAt:yyyy-MM-dd HH:mm} UTC, {result.Machine}): {result.DurationSeconds:F0} s, {result.Connections:N0} connections, {result.Churn} connects and disconnects per second, {result.Steady} steady clients, {result.Rate} NOTIFY/s"));
        text.AppendLine("elapsed s  RSS MB  heap MB  GC pause ms  handles  threads  connections");
        foreach (var s in result.Samples)
        {
            text.AppendLine(Invariant($"{s.ElapsedSeconds,9:F0}  {s.ResidentBytes / 1048576.0,6:F0}  {s.ManagedHeapBytes / 1048576.0,7:F0}  {s.GcPauseSeconds * 1000,11:F0}  {s.Handles,7}  {s.Threads,7}  {s.Connections,11}"));
        }

        text.AppendLine(Invariant($"churn: {result.Connects:N0} connects, {result.Disconnects:N0} disconnects, {result.ConnectsFailed:N0} connects failed, {result.ClosedByHub:N0} connections closed by the hub"));
        text.AppendLine(Invariant($"steady clients: {result.Sent:N0} sent each, {result.Lost:N0} lost, {result.Duplicated:N0} duplicated, {result.OutOfOrder:N0} out of order, {result.Resyncs:N0} resyncs"));
        var figures = SoakVerdict.Figures(result);
        if (figures.Count == 0)
        {
            text.AppendLine(Invariant($"verdict: not enough samples after the {result.WarmUpSeconds:F0} s warm-up to judge"));
            return text.ToString();
        }

        foreach (var f in figures)
        {
            var unit = f.Unit.Length > 0 ? " " + f.Unit : string.Empty;
            text.AppendLine(Invariant($"{f.Name}: first third {f.First:F1}{unit}, last third {f.Last:F1}{unit}: {(f.Flat ? "flat" : "GREW")}"));
        }

        text.AppendLine(SoakVerdict.IsFlat(result) ? "verdict: flat, zero errors" : Invariant($"verdict: NOT flat or with errors ({result.Errors:N0} errors)"));
        return text.ToString();
    }

    public static string JsonLine(SoakResult result) => ReportWriter.JsonPrefix + JsonSerializer.Serialize(result, BenchJson.Options);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
