using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hub.Bench.Measuring;

/// <summary>
/// Records NOTIFY-to-client latencies from many receive loops without locks: each thread records into its own
/// histograms (overall and per time slot), merged when the run is collected.
/// </summary>
public sealed class LatencyRecorder : IDisposable
{
    /// <summary>The width of one slot of the latency-over-time series.</summary>
    public static readonly long SlotTicks = Stopwatch.Frequency / 2;

    private readonly ConcurrentBag<ThreadPart> _parts = [];
    private readonly ThreadLocal<ThreadPart> _local;

    public LatencyRecorder() => _local = new ThreadLocal<ThreadPart>(() =>
    {
        var part = new ThreadPart();
        _parts.Add(part);
        return part;
    });

    /// <summary>Records one delivery sent at <paramref name="sentTimestamp"/> and received at <paramref name="receivedTimestamp"/> (both <see cref="Stopwatch"/> timestamps).</summary>
    public void Record(long sentTimestamp, long receivedTimestamp)
    {
        var part = _local.Value!;
        var micros = (receivedTimestamp - sentTimestamp) * 1_000_000 / Stopwatch.Frequency;
        lock (part)
        {
            part.Overall.Record(micros);
            var slot = sentTimestamp / SlotTicks;
            if (!part.Slots.TryGetValue(slot, out var histogram))
            {
                histogram = new LatencyHistogram();
                part.Slots.Add(slot, histogram);
            }

            histogram.Record(micros);
            part.FirstReceived = Math.Min(part.FirstReceived, receivedTimestamp);
            part.LastReceived = Math.Max(part.LastReceived, receivedTimestamp);
        }
    }

    /// <summary>Merges every thread's histograms.</summary>
    public (LatencyHistogram Overall, SortedDictionary<long, LatencyHistogram> Slots, long FirstReceived, long LastReceived) Collect()
    {
        var overall = new LatencyHistogram();
        var slots = new SortedDictionary<long, LatencyHistogram>();
        var first = long.MaxValue;
        var last = long.MinValue;
        foreach (var part in _parts)
        {
            // The lock only ever meets contention here, when the run is collected.
            lock (part)
            {
                overall.Add(part.Overall);
                foreach (var (slot, histogram) in part.Slots)
                {
                    if (!slots.TryGetValue(slot, out var merged))
                    {
                        slots[slot] = merged = new LatencyHistogram();
                    }

                    merged.Add(histogram);
                }

                first = Math.Min(first, part.FirstReceived);
                last = Math.Max(last, part.LastReceived);
            }
        }

        return (overall, slots, first, last);
    }

    public void Dispose() => _local.Dispose();

    private sealed class ThreadPart
    {
        public LatencyHistogram Overall { get; } = new();

        public Dictionary<long, LatencyHistogram> Slots { get; } = [];

        public long FirstReceived { get; set; } = long.MaxValue;

        public long LastReceived { get; set; } = long.MinValue;
    }
}
