using Hub.Tests.Infrastructure;
using StackExchange.Redis;

namespace Hub.Tests.Streams;

/// <summary>
/// Two Hub.Server processes sharing a redis-server on one outbox database, where the leader's publishes on the
/// envelope channel fail for a moment while the instances' subscriptions to it stay up: no instance sees a gap, so
/// nothing but the outbox reader itself can bring the rows that did not go out. It must not move its cursor past them.
/// </summary>
public sealed class OutboxSendFailureTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(15);

    // Shorter than what would make the leader give its leadership up, or the other instance find it silent.
    private static readonly TimeSpan Refused = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task Publishes_that_fail_for_a_moment_are_read_again_and_every_event_reaches_both_instances_once_in_order_without_a_resync()
    {
        const int Total = 600;
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("sendfail").Configure(static s => OutboxScenario.Enable(s)).StartClusterAsync(2);
        var (leader, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;

        var publishing = await OutboxFailoverTests.PublishUntilAQuarterArrivedAsync(fixture, onSecond, Total, Receive, "the publishes should fail while events are being published");

        await RefusePublishesAsync(fixture, Refused);
        await publishing;
        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(Total, Receive, onFirst, onSecond);

        Assert.Contains("were not all sent", leader.Output, StringComparison.Ordinal);
        // Nothing else closed the hole: no instance found a gap to replay.
        Assert.DoesNotContain("are held and replayed from PostgreSQL", leader.Output + second.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Redis refuses every publish on the envelope channel (the script; an error answer, as when it is out of memory)
    /// for <paramref name="duration"/>, heartbeats included, while every connection stays up and the plain channel
    /// subscriptions go on.
    /// </summary>
    internal static async Task RefusePublishesAsync(HubFixture fixture, TimeSpan duration)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Cluster.Redis.Configuration);
        var server = redis.GetServer(fixture.Cluster.Redis.Configuration);
        await server.ExecuteAsync("ACL", "SETUSER", "default", "-eval", "-evalsha");
        try
        {
            await Task.Delay(duration, TestContext.Current.CancellationToken);
        }
        finally
        {
            await server.ExecuteAsync("ACL", "SETUSER", "default", "+@all");
        }
    }
}
