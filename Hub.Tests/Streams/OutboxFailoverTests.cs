using System.Globalization;
using Hub.Tests.Infrastructure;
using Npgsql;

namespace Hub.Tests.Streams;

/// <summary>
/// Two Hub.Server processes sharing a redis-server on one outbox database: the leader dies, the other instance reads
/// on from the cursor the leader stored, and clients that keep their last position lose nothing and, dropping what
/// is at or before it, see nothing twice.
/// </summary>
public sealed class OutboxFailoverTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killing_the_leader_while_publishing_loses_nothing_and_each_client_delivers_every_event_once_in_order()
    {
        const int Total = 2000;
        await using var fixture = await StartClusterAsync();
        var (leader, survivor, onLeader, onSurvivor) = await SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var _ = onLeader;
        await using var __ = onSurvivor;

        var publishing = PublishPacedAsync(fixture.DatabaseConnectionString, Total);
        await onLeader.WaitForAsync(Total / 5, Receive);
        Assert.False(publishing.IsCompleted, "the leader should die while events are still being published");
        await leader.KillAsync();
        await publishing;

        await AssertEveryEventOnceWithoutResyncAsync(Total, Receive, onLeader, onSurvivor);
        await Eventually.TrueAsync(() => InStateAsync(survivor, fixture.Database, "listening"), Receive, "the survivor should lead");

        Assert.True(onLeader.Resumes >= 1, "the killed instance's client resumed on the survivor");
        Assert.Equal(0, onSurvivor.Resumes);
    }

    [Fact]
    public async Task A_new_leader_resending_from_a_lagging_cursor_repeats_rows_that_the_client_rule_drops()
    {
        const int Total = 300;
        const int Behind = 40;
        await using var fixture = await StartClusterAsync();
        var (leader, survivor, onLeader, onSurvivor) = await SubscribersOnBothAsync(fixture);
        await using var _ = onLeader;
        await using var __ = onSurvivor;
        await PublishPacedAsync(fixture.DatabaseConnectionString, Total);
        await Task.WhenAll(onLeader.WaitForAsync(Total, Receive), onSurvivor.WaitForAsync(Total, Receive));
        await Eventually.TrueAsync(
            async () => await StoredCursorIdAsync(fixture.DatabaseConnectionString) == await LastIdAsync(fixture.DatabaseConnectionString),
            TimeSpan.FromSeconds(15),
            "the leader should have stored the cursor of its last batch");

        // What a leader that died between handing a batch to Redis and storing its cursor leaves behind: a cursor
        // that lags what clients already have. The survivor reads on from it and sends those rows again.
        await RewindCursorAsync(fixture.DatabaseConnectionString, Behind);
        await leader.KillAsync();
        await Eventually.TrueAsync(() => InStateAsync(survivor, fixture.Database, "listening"), Receive, "the survivor should lead");
        await Eventually.TrueAsync(() => onSurvivor.Dropped == Behind, Receive, $"the survivor's client should drop the {Behind} rows sent again (dropped {onSurvivor.Dropped})");
        await PublishPacedAsync(fixture.DatabaseConnectionString, 10, from: Total);
        await AssertEveryEventOnceWithoutResyncAsync(Total + 10, Receive, onLeader, onSurvivor);
        Assert.Equal(Behind, onSurvivor.Dropped);
    }

    [Fact]
    public async Task Resuming_again_and_again_on_the_instance_that_does_not_lead_has_no_gap_and_the_rule_removes_any_repeat()
    {
        const int Total = 1500;
        await using var fixture = await StartClusterAsync();
        var (_, follower, keepsLeading, resuming) = await SubscribersOnBothAsync(fixture);
        await using var _ = keepsLeading;
        await using var __ = resuming;

        // Each round publishes its rows while the connection is dropped a little after the stream moves, so that every
        // resume meets rows in flight at the seam, however fast the machine delivers.
        const int Rounds = 12;
        for (var round = 0; round < Rounds; round++)
        {
            var publishing = PublishPacedAsync(fixture.DatabaseConnectionString, Total / Rounds, round * (Total / Rounds));
            var seen = resuming.Delivered.Count;
            await Eventually.TrueAsync(() => resuming.Delivered.Count > seen, Receive, "the stream should move");
            await resuming.AbortAsync();
            var resumed = round + 1;
            await Eventually.TrueAsync(() => resuming.Resumes >= resumed, Receive, "the subscriber should resume");
            await publishing;
        }

        await resuming.WaitForAsync(Total, Receive);
        Assert.True(resuming.Resumes >= Rounds, $"resumed {resuming.Resumes} times");
        Assert.Equal(Enumerable.Range(0, Total).ToArray(), resuming.Delivered);
        Assert.Empty(resuming.Resyncs);
        await Eventually.TrueAsync(() => InStateAsync(follower, fixture.Database, "standby"), Receive, "the follower should still stand by");

        // Each hold ended on the leader's stored-cursor signal, none on the wait's time limit.
        Assert.DoesNotContain("stopped waiting for the outbox reader", follower.Output, StringComparison.Ordinal);
        GC.KeepAlive(keepsLeading);
    }

    private async Task<HubFixture> StartClusterAsync()
        => await HubFixture.For(postgres.Server).WithDatabasePrefix("failover").Configure(static s => OutboxScenario.Enable(s)).StartClusterAsync(2);

    /// <summary>
    /// A subscriber on each instance: the first instance leads, since its client subscribes first (and moves to the
    /// other instance once it is gone), and the other instance stands by.
    /// </summary>
    internal static async Task<(HubProcess Leader, HubProcess Other, ResumingSubscriber OnLeader, ResumingSubscriber OnOther)> SubscribersOnBothAsync(
        HubFixture fixture, bool messagePackOnOther = false)
    {
        var (first, second) = (fixture.Cluster.Instances[0], fixture.Cluster.Instances[1]);
        var onLeader = await ResumingSubscriber.StartAsync(() => first.HasExited ? second.HubUrl : first.HubUrl, fixture.Database, HubFixture.Events);
        Assert.Equal(first, await fixture.Cluster.SettledListenerAsync());
        var onOther = await ResumingSubscriber.StartAsync(() => second.HubUrl, fixture.Database, HubFixture.Events, messagePack: messagePackOnOther);
        await Eventually.TrueAsync(() => InStateAsync(second, fixture.Database, "standby"), Receive, "the second instance should stand by");
        return (first, second, onLeader, onOther);
    }

    /// <summary>Whether <paramref name="hub"/> says it is in <paramref name="state"/>; false while its stats do not answer in time (a loaded machine).</summary>
    private static async Task<bool> InStateAsync(HubProcess hub, string database, string state)
    {
        try
        {
            return await hub.StateOfAsync(database) == state;
        }
        catch (Exception ex) when (ex is TaskCanceledException or HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// Starts publishing <paramref name="total"/> paced events and returns the publishing once a quarter of them reached
    /// <paramref name="watched"/>, with the rest still to come: the moment a fault is brought in.
    /// </summary>
    internal static async Task<Task> PublishUntilAQuarterArrivedAsync(HubFixture fixture, ResumingSubscriber watched, int total, TimeSpan within, string because)
    {
        var publishing = PublishPacedAsync(fixture.DatabaseConnectionString, total);
        await watched.WaitForAsync(total / 4, within);
        Assert.False(publishing.IsCompleted, because);
        return publishing;
    }

    /// <summary>Waits until each of <paramref name="subscribers"/> has every event of 0 to <paramref name="total"/>, and checks it got each once, in order, and no resync.</summary>
    internal static async Task AssertEveryEventOnceWithoutResyncAsync(int total, TimeSpan within, params ResumingSubscriber[] subscribers)
    {
        await Task.WhenAll(subscribers.Select(subscriber => subscriber.WaitForAsync(total, within)));
        var expected = Enumerable.Range(0, total).ToArray();
        foreach (var subscriber in subscribers)
        {
            Assert.Equal(expected, subscriber.Delivered);
            Assert.Empty(subscriber.Resyncs);
        }
    }

    /// <summary>
    /// Publishes numbered events through notify_hub.publish, each committed on its own, pausing a little every 20,
    /// so that the stream runs for a few seconds instead of a burst.
    /// </summary>
    internal static async Task PublishPacedAsync(string connectionString, int count, int from = 0)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT notify_hub.publish('events', $1)", connection);
        var payload = new NpgsqlParameter { Value = string.Empty };
        command.Parameters.Add(payload);
        for (var i = from; i < from + count; i++)
        {
            payload.Value = i.ToString(CultureInfo.InvariantCulture);
            await command.ExecuteNonQueryAsync();
            if (i % 20 == 19)
            {
                await Task.Delay(20);
            }
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static Task<long> StoredCursorIdAsync(string connectionString) => ScalarAsync(connectionString, "SELECT id FROM notify_hub.cursor");

    private static Task<long> LastIdAsync(string connectionString) => ScalarAsync(connectionString, "SELECT max(id) FROM notify_hub.outbox");

    /// <summary>Moves the stored cursor back to just before the last <paramref name="rows"/> rows of the stream.</summary>
    private static async Task RewindCursorAsync(string connectionString, int rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            UPDATE notify_hub.cursor c SET tx = o.tx, id = o.id
            FROM (SELECT tx, id FROM notify_hub.outbox ORDER BY tx DESC, id DESC OFFSET $1 LIMIT 1) o
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = rows });
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
