using System.Numerics;

namespace Hub.Bench.Measuring;

/// <summary>
/// Counts latencies in microseconds in log-linear buckets: exact below 64 µs, then 32 buckets per power of two
/// (about 3% resolution). Fixed size, no allocation per value, mergeable across connections and processes.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 64;
    private const int SubBucketBits = 5;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int BucketCount = LinearLimit + ((63 - 6) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded, exactly.</summary>
    public long Max { get; private set; }

    /// <summary>Records one latency in microseconds; negative values (clock skew) count as zero.</summary>
    public void Record(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        _counts[IndexOf(value)]++;
        Count++;
        if (value > Max)
        {
            Max = value;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at <paramref name="percentile"/> (0-100), as the upper edge of its bucket, capped at <see cref="Max"/>.</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), Max);
            }
        }

        return Max;
    }

    /// <summary>The non-empty buckets as (index, count) pairs, for sending between processes.</summary>
    public long[][] ToSparse()
    {
        var pairs = new List<long[]>();
        for (var i = 0; i < BucketCount; i++)
        {
            if (_counts[i] != 0)
            {
                pairs.Add([i, _counts[i]]);
            }
        }

        return [.. pairs];
    }

    /// <summary>Rebuilds a histogram from <see cref="ToSparse"/> and its maximum.</summary>
    public static LatencyHistogram FromSparse(long[][] pairs, long max)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var histogram = new LatencyHistogram();
        foreach (var pair in pairs)
        {
            histogram._counts[pair[0]] += pair[1];
            histogram.Count += pair[1];
        }

        histogram.Max = max;
        return histogram;
    }

    private static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var sub = (int)(value >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return LinearLimit + ((exponent - 6) * SubBuckets) + sub;
    }

    private static long UpperEdge(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var exponent = ((index - LinearLimit) / SubBuckets) + 6;
        var sub = (index - LinearLimit) % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << (exponent - SubBucketBits)) - 1;
    }
}
