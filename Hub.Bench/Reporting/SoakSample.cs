namespace Hub.Bench.Reporting;

/// <summary>One reading of the hub during a soak.</summary>
/// <param name="ElapsedSeconds">Since the churn began.</param>
/// <param name="ResidentBytes">VmRSS from /proc.</param>
/// <param name="ManagedHeapBytes">The managed heap the hub reports in /api/stats.</param>
/// <param name="GcPauseSeconds">The hub's total GC pause time so far (/api/stats).</param>
/// <param name="Handles">Open file descriptors (/proc/&lt;pid&gt;/fd).</param>
/// <param name="Threads">Threads (/proc/&lt;pid&gt;/status).</param>
/// <param name="Connections">Hub connections open, as the hub counts them.</param>
public sealed record SoakSample(
    double ElapsedSeconds, long ResidentBytes, long ManagedHeapBytes, double GcPauseSeconds, int Handles, int Threads, long Connections);
