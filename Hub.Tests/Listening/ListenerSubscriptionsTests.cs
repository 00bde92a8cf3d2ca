using Hub.Server.Listening;

namespace Hub.Tests.Listening;

/// <summary>The listener's subscription counts and waiters, without PostgreSQL.</summary>
public sealed class ListenerSubscriptionsTests
{
    [Fact]
    public void A_channel_stays_wanted_until_its_last_subscription_is_released()
    {
        var subscriptions = new ListenerSubscriptions();
        subscriptions.Add(["a", "b"]);
        subscriptions.Add(["a"]);

        Assert.Equal(3, subscriptions.Count);
        Assert.False(subscriptions.Remove(["a"]));
        Assert.Equal(["a", "b"], subscriptions.Channels.Order(StringComparer.Ordinal));
        Assert.True(subscriptions.Remove(["a"]));
        Assert.Equal(["b"], subscriptions.Channels);
        Assert.False(subscriptions.Remove(["never-subscribed"]));
        Assert.True(subscriptions.Remove(["b"]));
        Assert.True(subscriptions.IsEmpty);
    }

    [Fact]
    public async Task A_waiter_is_released_only_once_all_its_channels_are_listened_on()
    {
        var subscriptions = new ListenerSubscriptions();
        var both = subscriptions.Wait(["a", "b"]);
        var one = subscriptions.Wait(["a"]);

        subscriptions.Activate(new HashSet<string>(["a"], StringComparer.Ordinal));

        await one.Task;
        Assert.False(both.Task.IsCompleted);
        Assert.Equal(1, subscriptions.Waiting);
        subscriptions.Activate(new HashSet<string>(["a", "b"], StringComparer.Ordinal));
        await both.Task;
        Assert.Equal(0, subscriptions.Waiting);
    }

    [Fact]
    public async Task Waiters_fail_when_the_listener_stops_and_a_forgotten_one_is_left_alone()
    {
        var subscriptions = new ListenerSubscriptions();
        var forgotten = subscriptions.Wait(["a"]);
        var waiting = subscriptions.Wait(["b"]);
        subscriptions.Forget(forgotten);

        subscriptions.FailAll(new OperationCanceledException("stopped"));

        await Assert.ThrowsAsync<OperationCanceledException>(() => waiting.Task);
        Assert.False(forgotten.Task.IsCompleted);
    }

    [Fact]
    public async Task A_standby_releases_every_waiter()
    {
        var subscriptions = new ListenerSubscriptions();
        var waiter = subscriptions.Wait(["a"]);

        subscriptions.ActivateAll();

        await waiter.Task;
    }
}
