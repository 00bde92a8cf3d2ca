using System.Globalization;

namespace Hub.Bench.Hosting;

/// <summary>
/// Reads the CPU time and resident memory of the server processes from /proc (Linux), summed over processes.
/// </summary>
public sealed class ProcessSampler(IReadOnlyList<int> processIds)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    /// <summary>One reading: total CPU seconds used so far and resident bytes now.</summary>
    public readonly record struct Sample(DateTime At, double CpuSeconds, long ResidentBytes);

    public bool Available => processIds.Count > 0 && processIds.All(static pid => File.Exists($"/proc/{pid}/stat"));

    public Sample Read()
    {
        double cpu = 0;
        long rss = 0;
        foreach (var pid in processIds)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            cpu += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss += long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                    break;
                }
            }
        }

        return new Sample(DateTime.UtcNow, cpu, rss);
    }

    /// <summary>Average CPU use between two samples, in percent of one core.</summary>
    public static double CpuPercent(Sample from, Sample to)
    {
        var seconds = (to.At - from.At).TotalSeconds;
        return seconds <= 0 ? 0 : (to.CpuSeconds - from.CpuSeconds) / seconds * 100;
    }
}
