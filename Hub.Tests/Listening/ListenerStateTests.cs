using Hub.Server.Listening;

namespace Hub.Tests.Listening;

/// <summary>The listener's state changes, the LISTEN set and the backoff, without PostgreSQL.</summary>
public sealed class ListenerStateTests
{
    [Theory]
    [InlineData(ListenerState.Idle, ListenerState.Connecting, true)]
    [InlineData(ListenerState.Offline, ListenerState.Connecting, true)]
    [InlineData(ListenerState.Connecting, ListenerState.Listening, true)]
    [InlineData(ListenerState.Reconnecting, ListenerState.Standby, true)]
    [InlineData(ListenerState.Standby, ListenerState.Listening, true)]
    [InlineData(ListenerState.Listening, ListenerState.Reconnecting, true)]
    [InlineData(ListenerState.Listening, ListenerState.Idle, true)]
    [InlineData(ListenerState.Idle, ListenerState.Listening, false)]
    [InlineData(ListenerState.Listening, ListenerState.Standby, false)]
    [InlineData(ListenerState.Listening, ListenerState.Connecting, false)]
    [InlineData(ListenerState.Idle, ListenerState.Offline, false)]
    public void Only_the_transitions_the_loop_makes_are_allowed(ListenerState from, ListenerState to, bool allowed)
        => Assert.Equal(allowed, ListenerTransitions.IsAllowed(from, to));

    [Fact]
    public void Listen_set_plans_the_difference_and_stops_counting_unlistened_channels_at_once()
    {
        var set = new ListenSet();
        var first = set.Plan(["a", "b"]);
        Assert.Equal("LISTEN \"a\";LISTEN \"b\";", first.Sql());
        Assert.Empty(set.Active);
        set.Applied(first);

        var second = set.Plan(["b", "c"]);

        Assert.Equal(["c"], second.Listen);
        Assert.Equal(["a"], second.Unlisten);
        Assert.Equal(["b"], set.Active);
        set.Applied(second);
        Assert.Equal(["b", "c"], set.Active.Order(StringComparer.Ordinal));
        Assert.True(set.Plan(["b", "c"]).IsEmpty);
    }

    [Fact]
    public void Backoff_uses_equal_jitter_doubling_up_to_the_cap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(800));
        double[] ceilings = [100, 200, 400, 800, 800, 800];
        for (var round = 0; round < 200; round++)
        {
            backoff.Reset();
            foreach (var ceiling in ceilings)
            {
                var delay = backoff.NextDelay().TotalMilliseconds;
                Assert.InRange(delay, ceiling / 2, ceiling);
            }
        }

        Assert.Equal(ceilings.Length, backoff.Failures);
    }
}
