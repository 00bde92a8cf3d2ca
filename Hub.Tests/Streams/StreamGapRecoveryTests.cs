using System.Globalization;
using Hub.Server.Contracts;
using Hub.Server.Scaling;
using Hub.Server.Streams;
using Hub.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Hub.Tests.Streams;

/// <summary>
/// Two Hub.Server processes sharing a redis-server on one outbox database: when an instance finds a gap in the live
/// notifications of the envelope channel, the connections that resumed the stream with <c>SubscribeFrom</c> are held
/// and replayed from PostgreSQL from where each one stands, and get every event once, in order, with no resync; a
/// plain <c>Subscribe</c> keeps the resync.
/// </summary>
public sealed class StreamGapRecoveryTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_skipped_sequence_number_replays_the_resumed_streams_instead_of_a_resync_and_a_plain_subscriber_still_gets_one()
    {
        const int Total = 600;
        await using var fixture = await StartClusterAsync(postgres.Server);
        var (first, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;
        await using var plain = await RecordingClient.ConnectAsync(second.HubUrl);
        await plain.SubscribeAsync(fixture.Database, HubFixture.Events);

        var publishing = await OutboxFailoverTests.PublishUntilAQuarterArrivedAsync(fixture, onSecond, Total, Receive, "the gap should come while events are being published");

        await SkipSequenceNumberAsync(fixture);
        await publishing;
        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(Total, Receive, onFirst, onSecond);
        foreach (var hub in new[] { first, second })
        {
            await Eventually.TrueAsync(
                () => hub.Output.Contains("were replayed from where each one stood", StringComparison.Ordinal), Receive, $"{hub.InstanceId} should replay its streams");
        }

        var resync = await plain.NextResyncAsync(Receive);
        Assert.Equal(ResyncReasons.BackplaneReconnected, resync.Reason);
    }

    [Fact]
    public async Task Redis_stopped_while_publishing_loses_nothing_on_either_instance_and_sends_no_resync()
    {
        const int Total = 2000;
        const int After = 200;
        await using var fixture = await StartClusterAsync(postgres.Server);
        var (_, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;

        // Stopped while the stream moves, so that envelopes are in flight when Redis dies: what the channel lost, and
        // what was committed while it was away, each instance replays from PostgreSQL.
        var publishing = OutboxFailoverTests.PublishPacedAsync(fixture.DatabaseConnectionString, Total);
        await onSecond.WaitForAsync(Total / 5, Receive);
        Assert.False(publishing.IsCompleted, "Redis should stop while events are being published");
        await fixture.Cluster.Redis.StopAsync();
        await Eventually.TrueAsync(
            () => second.Output.Contains("are held and replayed from PostgreSQL", StringComparison.Ordinal), Receive, "the other instance should hold its streams");
        await fixture.Cluster.Redis.StartServerAsync();
        await publishing;
        await OutboxFailoverTests.PublishPacedAsync(fixture.DatabaseConnectionString, After, from: Total);

        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(Total + After, Receive, onFirst, onSecond);
    }

    [Fact]
    public async Task A_replay_whose_pooled_connection_postgres_dropped_is_tried_again_on_a_fresh_one_and_the_client_gets_no_resync()
    {
        const int Total = 600;
        await using var fixture = await StartClusterAsync(postgres.Server);
        var (first, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;

        var publishing = await OutboxFailoverTests.PublishUntilAQuarterArrivedAsync(fixture, onSecond, Total, Receive, "the gap should come while events are being published");

        // The connections the SubscribeFrom replays left in each instance's replay pool die, as in a PostgreSQL
        // restart: each recovery's first attempt takes one of them and fails.
        Assert.True(await OutboxScenario.TerminateReplayBackendsAsync(fixture.DatabaseConnectionString) >= 2, "each instance should keep a pooled replay connection");
        await SkipSequenceNumberAsync(fixture);
        await publishing;

        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(Total, Receive, onFirst, onSecond);
        foreach (var hub in new[] { first, second })
        {
            await Eventually.TrueAsync(
                () => hub.Output.Contains("were replayed from where each one stood", StringComparison.Ordinal), Receive, $"{hub.InstanceId} should replay its streams");
            Assert.DoesNotContain("failed; it gets a resync instead", hub.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_leader_that_falls_silent_has_both_instances_replay_their_resumed_streams_and_clients_get_every_event_without_a_resync()
    {
        const int Total = 600;
        await using var fixture = await StartClusterAsync(postgres.Server);
        var (first, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;

        var publishing = await OutboxFailoverTests.PublishUntilAQuarterArrivedAsync(fixture, onSecond, Total, Receive, "the leader should fall silent while events are being published");

        // Longer than the leader timeout: no leader, the first or one that takes over, publishes or heartbeats, while
        // the channel subscriptions stay up, so every instance hears nothing and finds the leader silent.
        await OutboxSendFailureTests.RefusePublishesAsync(fixture, TimeSpan.FromSeconds(5));
        await publishing;

        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(Total, Receive, onFirst, onSecond);
        foreach (var hub in new[] { first, second })
        {
            Assert.Contains("leader silent", hub.Output, StringComparison.Ordinal);
            Assert.Contains("are held and replayed from PostgreSQL", hub.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>The next envelope's number skips one: every instance sees a gap as if Redis had lost a message.</summary>
    internal static async Task SkipSequenceNumberAsync(HubFixture fixture)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Cluster.Redis.Configuration);
        var names = new EnvelopeChannelNames($"test-{fixture.Database}");
        await redis.GetDatabase().StringIncrementAsync(names.SequenceKey(fixture.Database));
    }

    /// <summary>Two instances on an outbox database; <paramref name="configure"/> changes their settings further (the same object a restart reads).</summary>
    internal static async Task<HubFixture> StartClusterAsync(PostgresServer server, Action<HubSettings>? configure = null)
        => await HubFixture.For(server).WithDatabasePrefix("gaps").Configure(s =>
        {
            OutboxScenario.Enable(s);
            configure?.Invoke(s);
        }).StartClusterAsync(2);
}
