using System.Globalization;
using System.Text.RegularExpressions;
using Hub.Server.Contracts;
using Hub.Server.Streams;
using Hub.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Hub.Tests.Streams;

/// <summary>
/// The recovery of a gap in live delivery where it is hardest, on two Hub.Server processes sharing a redis-server: a
/// gap found while a <c>SubscribeFrom</c> is still writing its replay, and a gap whose replay fails on both attempts.
/// </summary>
public sealed class StreamGapRecoveryEdgeTests(SharedPostgres postgres)
{
    // The whole test takes about 30 s alone, but beside the rest of the suite one client once had 35,530 of the
    // 60,000 live notifications after 90 s: the bound is for a stream that stopped, not for a slow one.
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_gap_found_while_a_SubscribeFrom_replay_is_being_written_is_replayed_after_it_and_the_client_gets_every_event_once_without_a_resync()
    {
        // Long enough a history that the replay is still being written when the gap is found: the client reads it at
        // tens of thousands of rows a second, and the hub writes no further ahead than the connection's bound.
        const int History = 60_000;
        const int Live = 600;
        await using var fixture = await StreamGapRecoveryTests.StartClusterAsync(
            postgres.Server,
            // The replay's own line ("rows replayed up to") says when the SubscribeFrom had written its history.
            static s => s.Raw[$"Logging:LogLevel:{typeof(StreamReplay).FullName}"] = "Debug");
        var (_, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;
        var before = onSecond.LastPosition;
        await PublishInOneStatementAsync(fixture.DatabaseConnectionString, History);
        await Task.WhenAll(onFirst.WaitForAsync(History, Receive), onSecond.WaitForAsync(History, Receive));

        // A client that was away for the whole history resumes on the instance that does not lead, from before it.
        await using var late = ResumingSubscriber.Create(() => second.HubUrl, fixture.Database, HubFixture.Events, since: before);
        var resuming = late.ConnectAsync();
        await Eventually.TrueAsync(() => late.Delivered.Count >= History / 20, Receive, $"the replay should be under way: {late.Describe()}");
        var logged = second.Output.Length;
        var publishing = OutboxFailoverTests.PublishPacedAsync(fixture.DatabaseConnectionString, Live, from: History);
        await StreamGapRecoveryTests.SkipSequenceNumberAsync(fixture);
        await resuming;
        await publishing;

        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(History + Live, Receive, onFirst, onSecond, late);

        // The gap was found before the SubscribeFrom had written its history, and the recovery replayed from where that
        // replay ended: its hold went over to the recovery. A gap found after the hold ended would have taken a hold
        // of its own, one found before the SubscribeFrom would have had nothing of it to recover.
        var database = Regex.Escape(fixture.Database);
        var resumed = new Regex($@"Connection (?<id>\S+) resumes database '{database}' from {Regex.Escape(before!)}: \d+ rows replayed up to (?<end>\w+)\.");
        await Eventually.TrueAsync(() => resumed.IsMatch(second.Output), Receive, "the SubscribeFrom should have written its history");
        var output = second.Output;
        var written = resumed.Match(output);
        var held = output.IndexOf("are held and replayed from PostgreSQL", logged, StringComparison.Ordinal);
        Assert.True(
            held >= 0 && held < written.Index,
            $"the gap should be found (at {held}; the gap was made at {logged}) while the replay is written (done at {written.Index}):{Environment.NewLine}{output}");
        var recovered = $"Connection {written.Groups["id"].Value}'s resumed streams of database '{fixture.Database}' were replayed from where each one stood after a gap in live delivery ({written.Groups["end"].Value} to ";
        await Eventually.TrueAsync(
            () => second.Output.Contains(recovered, StringComparison.Ordinal), Receive, $"the recovery should replay from where the SubscribeFrom's replay ended:{Environment.NewLine}{second.Output[logged..]}");
    }

    [Fact]
    public async Task A_gap_whose_replay_fails_twice_gets_a_resync_around_the_hole_while_the_other_instance_replays_and_its_client_gets_none()
    {
        // Enough that events still flow after the gap: the event after it (not a heartbeat) reveals it and is held,
        // so the first notification after the resync is one the hub received before the resync was sent.
        const int Total = 2000;
        await using var role = await RevocableReadRole.CreateAsync(postgres.Server);
        HubSettings? settings = null;
        await using var fixture = await StreamGapRecoveryTests.StartClusterAsync(postgres.Server, s => settings = s);

        // The second instance comes back as a role whose reads can be taken away, the first stays the superuser that
        // installs the schema and leads. A permission refused is refused to every attempt, on a pooled connection as on
        // a fresh one, and only to the second instance; terminating backends races the replay's own speed and hits
        // every instance's replays, and a database closed to new connections would stop the first one's reader too.
        role.Use(settings!, fixture.Database);
        await fixture.Cluster.RestartAsync(1, TimeSpan.FromSeconds(10));
        var (first, second, onFirst, onSecond) = await OutboxFailoverTests.SubscribersOnBothAsync(fixture, messagePackOnOther: true);
        await using var disposeFirst = onFirst;
        await using var disposeSecond = onSecond;

        var publishing = await OutboxFailoverTests.PublishUntilAQuarterArrivedAsync(fixture, onSecond, Total, Receive, "the gap should come while events are being published");
        await role.DenyReadsAsync();
        try
        {
            await StreamGapRecoveryTests.SkipSequenceNumberAsync(fixture);
            Assert.False(publishing.IsCompleted, "events should still be published after the gap");
            await Eventually.TrueAsync(
                () => second.Output.Contains("failed; it gets a resync instead", StringComparison.Ordinal), Receive, "the second instance's replay should fail");
        }
        finally
        {
            await role.AllowReadsAsync();
        }

        await publishing;

        // The first instance replayed its client's streams, unharmed by the second one's failure.
        await OutboxFailoverTests.AssertEveryEventOnceWithoutResyncAsync(Total, Receive, onFirst);
        await Eventually.TrueAsync(
            () => first.Output.Contains("were replayed from where each one stood", StringComparison.Ordinal), Receive, $"the first instance should replay its client's streams:{Environment.NewLine}{first.Output}");
        Assert.DoesNotContain("failed; it gets a resync instead", first.Output, StringComparison.Ordinal);

        // The second instance's client was told, and told where: the resync comes where the hole in its stream is, and
        // its window runs from the last notification before the hole to past the first after it, so whatever the lost
        // envelope carried (received by the hub between the two) lies inside it. Answering it by resuming from its
        // last position, it loses nothing.
        await onSecond.WaitForAsync(Total, Receive);
        Assert.Equal(Enumerable.Range(0, Total), onSecond.Delivered);
        var (resync, lastBefore, firstAfter) = Assert.Single(onSecond.ResyncsInStream);
        Assert.Equal(ResyncReasons.BackplaneReconnected, resync.Reason);
        Assert.Equal([ResyncReasons.BackplaneReconnected], onSecond.Resyncs);
        Assert.True(
            lastBefore is { } last && firstAfter is { } next && resync.Since <= last && next <= resync.Until,
            string.Create(CultureInfo.InvariantCulture, $"the window {resync.Since:O} to {resync.Until:O} should cover the hole between {lastBefore:O} and {firstAfter:O}"));
        Assert.Contains("42501: permission denied for", second.Output, StringComparison.Ordinal);
        Assert.Contains("gets a resync for a gap in live delivery", second.Output, StringComparison.Ordinal);
    }

    /// <summary>Publishes numbered events 0 to <paramref name="count"/> in one statement (one transaction): a history that costs a second, not minutes.</summary>
    private static async Task PublishInOneStatementAsync(string connectionString, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(notify_hub.publish(@channel, p)) FROM unnest(@payloads) AS t(p)", connection);
        command.Parameters.AddWithValue("channel", HubFixture.Events);
        command.Parameters.Add(new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = Enumerable.Range(0, count).Select(static i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
        });
        Assert.Equal(count, Convert.ToInt32(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), CultureInfo.InvariantCulture));
    }
}
