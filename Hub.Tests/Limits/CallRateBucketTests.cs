using Hub.Server.Limits;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hub.Tests.Limits;

public sealed class CallRateBucketTests
{
    [Fact]
    public void A_full_bucket_gives_its_burst_then_refuses_until_time_refills_it()
    {
        var time = new FakeTimeProvider();
        var bucket = new CallRateBucket(burst: 5, perSecond: 2, time);

        Assert.Equal(5, TakeAll(bucket));

        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(bucket.TryTake());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(4, TakeAll(bucket));
    }

    [Fact]
    public void A_quiet_connection_refills_no_more_than_the_burst()
    {
        var time = new FakeTimeProvider();
        var bucket = new CallRateBucket(burst: 3, perSecond: 10, time);
        TakeAll(bucket);

        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(3, TakeAll(bucket));
    }

    [Fact]
    public void Calls_from_several_threads_take_exactly_the_burst()
    {
        var time = new FakeTimeProvider();
        var bucket = new CallRateBucket(burst: 1000, perSecond: 1, time);
        var taken = 0;

        Parallel.For(0, 4000, _ =>
        {
            if (bucket.TryTake())
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(1000, taken);
    }

    private static int TakeAll(CallRateBucket bucket)
    {
        var taken = 0;
        while (bucket.TryTake())
        {
            taken++;
        }

        return taken;
    }
}
