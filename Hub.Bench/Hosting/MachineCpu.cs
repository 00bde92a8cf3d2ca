using System.Globalization;

namespace Hub.Bench.Hosting;

/// <summary>The CPU time every process on the machine has used so far, from /proc/stat (Linux).</summary>
public static class MachineCpu
{
    // USER_HZ, as in ProcessSampler.
    private const double ClockTicksPerSecond = 100;

    /// <summary>Busy CPU seconds over all cores since boot (all but idle and I/O wait); null where /proc/stat is unreadable.</summary>
    public static double? BusySeconds()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        var line = File.ReadLines("/proc/stat").First();
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
        var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(static t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return (ticks.Sum() - ticks[3] - ticks[4]) / ClockTicksPerSecond;
    }
}
