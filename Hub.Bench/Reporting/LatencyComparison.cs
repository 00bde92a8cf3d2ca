namespace Hub.Bench.Reporting;

/// <summary>The two halves of an outbox-latency run and how the outbox's latency compares with plain NOTIFY's.</summary>
public sealed record LatencyComparison(BenchResult Notify, BenchResult Outbox)
{
    /// <summary>The outbox's p99 over plain NOTIFY's (the target is at most 1.5).</summary>
    public double? P99Ratio => Notify.LatencyP99Ms > 0 ? Outbox.LatencyP99Ms / Notify.LatencyP99Ms : null;

    /// <summary>The same over the steady part of each run.</summary>
    public double? SteadyP99Ratio => Notify.SteadyLatencyP99Ms > 0 ? Outbox.SteadyLatencyP99Ms / Notify.SteadyLatencyP99Ms : null;
}
