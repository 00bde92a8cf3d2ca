using System.Globalization;
using System.Text.Json;
using Hub.Bench.Reporting;
using Hub.Bench.Running;
using Hub.Tests.Infrastructure;
using Hub.Tests.Streams;
using Npgsql;

namespace Hub.Tests.Bench;

/// <summary>Each outbox mode of the bench tool, run tiny against a real hub: it must report what it measured, counted right.</summary>
public sealed class OutboxBenchModesTests(SharedPostgres postgres)
{
    private const string Channel = "bench";

    [Fact]
    public async Task Outbox_publish_counts_every_row_from_its_writers_to_every_subscriber()
    {
        var (prefix, hub) = await OutboxHubAsync();
        await using var _ = hub;

        var result = await new BenchRunner(Options(prefix, hub, "--mode", "outbox-publish", "--connections", "10", "--writers", "2", "--rate", "100", "--duration", "1"), TextWriter.Null)
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("outbox-publish", 2, 10), (result.Mode, result.Writers, result.Connected));
        Assert.True(result.Sent > 0 && result.PublishedPerSecond > 0, $"{result.Sent} sent at {result.PublishedPerSecond}/s");
        Assert.Equal(result.Sent * 10, result.Expected);
        Assert.Equal(result.Expected, result.Received);
        Assert.Equal((0L, 0L, 0L), (result.Lost, result.Duplicated, result.Resyncs));
        Assert.True(result.LatencyP50Ms > 0 && result.LatencyP50Ms <= result.LatencyP99Ms);
        Assert.Contains("outbox-publish, 2 publishing connection(s)", ReportWriter.Table(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbox_publish_of_five_rows_per_commit_over_three_channels_counts_each_connection_against_its_own_channel()
    {
        string[] channels = [Channel + "_0", Channel + "_1", Channel + "_2"];
        var (prefix, hub) = await OutboxHubAsync(channels);
        await using var _ = hub;

        var result = await new BenchRunner(
            Options(prefix, hub, "--mode", "outbox-publish", "--connections", "10", "--writers", "2", "--rate", "200", "--duration", "1", "--rows-per-commit", "5", "--channels", "3"),
            TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

        // What the outbox holds, read independently of the bench: each commit five consecutive numbers of one
        // channel, and each channel numbered from 0 without a gap.
        var committed = await CommittedAsync(prefix + "0");
        Assert.Equal(channels, committed.Keys.Order(StringComparer.Ordinal));
        Assert.All(committed.Values, c => Assert.True(c.Rows > 0 && c.Rows == c.Commits * 5 && c.Rows == c.Distinct && c.Highest == c.Rows - 1, c.ToString()));
        Assert.Equal(0, await UnevenCommitsAsync(prefix + "0", 5));

        // Connections 0 to 9 take the channels in turn: 4, 3 and 3 subscribers, each expecting only its channel's rows.
        int[] subscribers = [4, 3, 3];
        var expected = channels.Select((c, i) => committed[c].Rows * subscribers[i]).Sum();
        Assert.Equal((5, 3, 10), (result.RowsPerCommit, result.Channels, result.Connected));
        Assert.Equal(committed.Values.Sum(static c => c.Rows), result.Sent);
        Assert.Equal(expected, result.Expected);
        Assert.Equal(result.Expected, result.Received);
        Assert.Equal((0L, 0L, 0L, 0L), (result.Lost, result.Duplicated, result.Resyncs, result.Unrecognized));

        var line = ReportWriter.JsonLine(result);
        using var json = JsonDocument.Parse(line[ReportWriter.JsonPrefix.Length..]);
        Assert.Equal((5, 3), (json.RootElement.GetProperty("rowsPerCommit").GetInt32(), json.RootElement.GetProperty("channels").GetInt32()));
        var table = ReportWriter.Table(result);
        Assert.Contains("5 row(s) per commit", table, StringComparison.Ordinal);
        Assert.Contains("1 database(s) of 3 channel(s)", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--rows-per-commit", "0" }, "--rows-per-commit must be greater than zero, got '0'")]
    [InlineData(new[] { "--rows-per-commit", "five" }, "--rows-per-commit must be a non-negative integer, got 'five'")]
    [InlineData(new[] { "--channels", "-3" }, "--channels must be a non-negative integer, got '-3'")]
    [InlineData(new[] { "--channels", "0" }, "--channels must be greater than zero, got '0'")]
    [InlineData(new[] { "--rows-per-commit", "10", "--mode", "outbox-catchup" }, "--rows-per-commit and --channels do not apply to --mode outbox-catchup")]
    [InlineData(new[] { "--mode", "outbox-catchup", "--channels", "2" }, "--rows-per-commit and --channels do not apply to --mode outbox-catchup")]
    public void Bad_rows_per_commit_and_channels_are_refused_naming_the_option(string[] args, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(args));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbox_latency_measures_plain_notify_then_the_outbox_on_one_hub()
    {
        var prefix = Prefix();
        var options = BenchOptions.Parse(
        [
            "--mode", "outbox-latency", "--connections", "10", "--processes", "0", "--rate", "50", "--duration", "1", "--drain", "2", "--idle", "0",
            "--steady-after", "0", "--writers", "2", "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--channel", Channel,
        ]);

        var comparison = await new OutboxLatencyRunner(options, TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("notify", 1), (comparison.Notify.Mode, comparison.Notify.Writers));
        Assert.Equal(("outbox-publish", 2), (comparison.Outbox.Mode, comparison.Outbox.Writers));
        foreach (var half in new[] { comparison.Notify, comparison.Outbox })
        {
            Assert.Equal(10, half.Connected);
            Assert.True(half.Sent > 0);
            Assert.Equal(half.Sent * 10, half.Received);
            Assert.Equal((0L, 0L), (half.Lost, half.Duplicated));
        }

        Assert.True(comparison.P99Ratio > 0);
        Assert.StartsWith("outbox vs NOTIFY  p99 ", ReportWriter.Comparison(comparison), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbox_catchup_replays_every_row_to_the_resuming_client_once_and_in_order()
    {
        var (prefix, hub) = await OutboxHubAsync();
        await using var _ = hub;

        var result = await new CatchUpRunner(Options(prefix, hub, "--mode", "outbox-catchup", "--catch-up", "2500"), TextWriter.Null)
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("outbox-catchup", 2500L, 2500L), (result.Mode, result.Rows, result.Replayed));
        Assert.Equal((0L, 0L, 0L, 0L), (result.Lost, result.Duplicated, result.OutOfOrder, result.Resyncs));
        Assert.True(result.ReplaySeconds > 0 && result.RowsPerSecond > 0);
        Assert.Equal((2500L, 0L), (result.LiveReceived, result.LiveLost));
        Assert.Contains("2,500 of 2,500 rows replayed", ReportWriter.Table(result), StringComparison.Ordinal);
        Assert.StartsWith(ReportWriter.JsonPrefix + "{", ReportWriter.JsonLine(result), StringComparison.Ordinal);
    }

    private static string Prefix() => $"o{Guid.NewGuid():N}"[..12] + "_";

    /// <summary>An in-process hub whose one database (the bench's first) is an outbox database allowing <paramref name="channels"/> (default: the bench's one channel).</summary>
    private async Task<(string Prefix, HubHost Hub)> OutboxHubAsync(params string[] channels)
    {
        var prefix = Prefix();
        var database = prefix + "0";
        await postgres.Server.CreateDatabaseAsync(database);
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), channels is [] ? [Channel] : channels);
        OutboxScenario.Enable(settings);
        return (prefix, await HubHost.StartAsync(settings));
    }

    /// <summary>The bench's rows in <paramref name="database"/>'s outbox, per channel: rows, transactions, distinct and highest sequence number.</summary>
    private async Task<Dictionary<string, ChannelRows>> CommittedAsync(string database)
    {
        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString(database));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT channel, count(*), count(DISTINCT tx), count(DISTINCT split_part(payload, ':', 1)), max(split_part(payload, ':', 1)::bigint)
            FROM notify_hub.outbox WHERE payload <> @warmup GROUP BY channel
            """, connection);
        command.Parameters.AddWithValue("warmup", NotifyPublisher.WarmupPayload);
        var channels = new Dictionary<string, ChannelRows>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            channels[reader.GetString(0)] = new ChannelRows(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }

        return channels;
    }

    /// <summary>The bench's transactions in <paramref name="database"/>'s outbox that are not <paramref name="rows"/> consecutive numbers of one channel.</summary>
    private async Task<long> UnevenCommitsAsync(string database, int rows)
    {
        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString(database));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM (
                SELECT tx FROM notify_hub.outbox WHERE payload <> @warmup GROUP BY tx
                HAVING count(*) <> @rows OR count(DISTINCT channel) <> 1
                    OR max(split_part(payload, ':', 1)::bigint) - min(split_part(payload, ':', 1)::bigint) <> @rows - 1) AS uneven
            """, connection);
        command.Parameters.AddWithValue("warmup", NotifyPublisher.WarmupPayload);
        command.Parameters.AddWithValue("rows", rows);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private BenchOptions Options(string prefix, HubHost hub, params string[] mode)
        => BenchOptions.Parse(
        [
            .. mode, "--processes", "0", "--drain", "2", "--idle", "0", "--steady-after", "0",
            "--url", hub.BaseUrl.ToString(), "--server-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--channel", Channel,
        ]);
}
