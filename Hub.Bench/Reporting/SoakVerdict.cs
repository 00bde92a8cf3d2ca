namespace Hub.Bench.Reporting;

/// <summary>
/// Whether a soak stayed flat: for each figure, the average of the last third of the samples after the warm-up
/// against the average of the first third, allowed to grow by 10 % plus a small absolute slack (a few megabytes,
/// handles or threads: the noise of one sample). GC pauses compare the pause time per sampling interval.
/// </summary>
public static class SoakVerdict
{
    private const double Growth = 1.10;

    /// <summary>One figure: its first-third and last-third averages and whether it stayed flat.</summary>
    public sealed record Figure(string Name, string Unit, double First, double Last, bool Flat);

    /// <summary>The figures, or none when fewer than three samples lie past the warm-up.</summary>
    public static IReadOnlyList<Figure> Figures(SoakResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var samples = result.Samples.Where(s => s.ElapsedSeconds >= result.WarmUpSeconds).ToArray();
        if (samples.Length < 4)
        {
            return [];
        }

        // Pause time per interval needs the sample before each one.
        var pauses = samples.Zip(samples.Skip(1), static (a, b) => (b.GcPauseSeconds - a.GcPauseSeconds) * 1000).ToArray();
        const double Megabyte = 1024 * 1024;
        return
        [
            Compare("RSS", "MB", [.. samples.Select(static s => s.ResidentBytes / Megabyte)], slack: 16),
            Compare("managed heap", "MB", [.. samples.Select(static s => s.ManagedHeapBytes / Megabyte)], slack: 8),
            Compare("GC pause per interval", "ms", pauses, slack: 20, growth: 1.5),
            Compare("open handles", string.Empty, [.. samples.Select(static s => (double)s.Handles)], slack: 20),
            Compare("threads", string.Empty, [.. samples.Select(static s => (double)s.Threads)], slack: 5),
        ];
    }

    /// <summary>Flat figures and zero errors.</summary>
    public static bool IsFlat(SoakResult result)
    {
        var figures = Figures(result);
        return figures.Count > 0 && figures.All(static f => f.Flat) && result.Errors == 0;
    }

    private static Figure Compare(string name, string unit, double[] values, double slack, double growth = Growth)
    {
        var third = Math.Max(1, values.Length / 3);
        var first = values.Take(third).Average();
        var last = values.TakeLast(third).Average();
        return new Figure(name, unit, first, last, last <= (first * growth) + slack);
    }
}
