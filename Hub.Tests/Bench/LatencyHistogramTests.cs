using Hub.Bench.Measuring;

namespace Hub.Tests.Bench;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_the_bucket_resolution()
    {
        var histogram = new LatencyHistogram();
        for (var value = 1; value <= 100_000; value++)
        {
            histogram.Record(value);
        }

        Assert.InRange(histogram.Percentile(50), 50_000, 50_000 * 1.04);
        Assert.InRange(histogram.Percentile(99), 99_000, 99_000 * 1.04);
        Assert.Equal(100_000, histogram.Percentile(100));
        Assert.Equal(100_000, histogram.Max);
    }

    [Fact]
    public void Sparse_form_round_trips_and_merges()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        a.Record(2_000);
        b.Record(5_000_000);

        var merged = LatencyHistogram.FromSparse(a.ToSparse(), a.Max);
        merged.Add(LatencyHistogram.FromSparse(b.ToSparse(), b.Max));

        Assert.Equal(3, merged.Count);
        Assert.Equal(10, merged.Percentile(1));
        Assert.Equal(5_000_000, merged.Max);
        Assert.InRange(merged.Percentile(60), 2_000, 2_000 * 1.04);
    }

    [Fact]
    public void Values_below_zero_count_as_zero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        Assert.Equal(0, histogram.Percentile(50));
    }
}
