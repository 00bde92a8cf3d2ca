using Hub.Bench.Measuring;

namespace Hub.Tests.Bench;

public sealed class SequenceTrackerTests
{
    [Fact]
    public void Everything_once_in_order_counts_nothing_lost_or_duplicated()
    {
        var tracker = new SequenceTracker();
        for (var i = 0; i < 1000; i++)
        {
            tracker.Record(i);
        }

        Assert.Equal((1000L, 0L, 0L, 0L), (tracker.Unique, tracker.Duplicates, tracker.OutOfOrder, tracker.Lost(1000)));
    }

    [Fact]
    public void Gaps_repeats_and_reordering_are_each_counted()
    {
        var tracker = new SequenceTracker();
        long[] received = [0, 1, 3, 3, 2, 5, 5, 5, 64, 130, 7];

        foreach (var sequence in received)
        {
            tracker.Record(sequence);
        }

        // Sent 0..199: received 0, 1, 2, 3, 5, 7, 64, 130.
        Assert.Equal(8, tracker.Unique);
        Assert.Equal(3, tracker.Duplicates);
        Assert.Equal(2, tracker.OutOfOrder);
        Assert.Equal(200 - 8, tracker.Lost(200));
        Assert.Equal(64 - 6, tracker.Lost(64));
    }

    [Fact]
    public void Nothing_received_loses_everything_sent()
        => Assert.Equal(77, new SequenceTracker().Lost(77));
}
