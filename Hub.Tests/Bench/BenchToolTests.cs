using System.Globalization;
using System.Text.Json;
using Hub.Bench.Reporting;
using Hub.Bench.Running;
using Hub.Testing.Wire;
using Hub.Server.Hubs;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Bench;

/// <summary>The bench tool against the real hub: it must count right, and it must keep working.</summary>
public sealed class BenchToolTests(SharedPostgres postgres)
{
    private const string Channel = "bench";

    [Theory]
    [InlineData(WireProtocol.Json)]
    [InlineData(WireProtocol.MessagePack)]
    public async Task Counts_exactly_what_a_lossy_hub_drops_and_repeats(WireProtocol protocol)
    {
        var (database, connectionString) = await CreateDatabaseAsync();
        var settings = HubSettings.For(database, connectionString, Channel);
        await using var hub = await HubHost.StartAsync(settings, builder => builder.Services.AddSingleton<HubLifetimeManager<NotificationHub>>(
            sp => new LossyHubLifetimeManager(new DefaultHubLifetimeManager<NotificationHub>(
                sp.GetRequiredService<ILogger<DefaultHubLifetimeManager<NotificationHub>>>()))));
        const int connections = 20;
        await using var worker = new Worker(new WorkerSpec(hub.HubUrl, protocol, connections, 0, [database], [Channel], 10));
        Assert.Equal(connections, (await worker.ConnectAsync(CancellationToken.None)).Connected);

        var sent = await NotifyPublisher.RunAsync(
            new Dictionary<string, string> { [database] = connectionString }, Channel, 200, TimeSpan.FromSeconds(0.5), 16, CancellationToken.None);

        var count = sent.Of(database, Channel);
        var dropped = Enumerable.Range(0, (int)count).Count(s => LossyHubLifetimeManager.Drops(s));
        var repeated = Enumerable.Range(0, (int)count).Count(s => LossyHubLifetimeManager.Repeats(s));
        Assert.True(dropped > 5 && repeated > 5, $"too few notifications sent ({count}) to exercise the lossy path");
        await Eventually.TrueAsync(
            () => worker.Collect(sent).Received == (count - dropped + repeated) * connections,
            TimeSpan.FromSeconds(15), "the deliveries the lossy hub sends never all arrived");
        var result = worker.Collect(sent);
        Assert.Equal(dropped * connections, result.Lost);
        Assert.Equal(repeated * connections, result.Duplicated);
        Assert.Equal((count - dropped) * connections, result.Unique);
        Assert.Equal(0, result.OutOfOrder);
    }

    [Fact]
    public async Task Smoke_run_of_100_connections_over_two_processes_reports_everything()
    {
        var prefix = $"s{Guid.NewGuid():N}"[..12] + "_";
        var database = prefix + "0";
        await postgres.Server.CreateDatabaseAsync(database);
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), Channel);
        await using var hub = await HubHost.StartAsync(settings);
        var plot = Path.Combine(Path.GetTempPath(), $"{prefix}latency.svg");
        var options = BenchOptions.Parse(
        [
            "--connections", "100", "--processes", "2", "--rate", "20", "--duration", "2", "--drain", "1", "--idle", "1", "--steady-after", "1",
            "--url", hub.BaseUrl.ToString(), "--server-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--channel", Channel,
            "--protocol", "messagepack", "--label", "smoke",
        ]);

        var result = await new BenchRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.Equal(100, result.Connected);
        Assert.Equal(0, result.ConnectFailed);
        Assert.InRange(result.Sent, 30, 50);
        Assert.Equal(result.Sent * 100, result.Expected);
        Assert.Equal(result.Expected, result.Received);
        Assert.Equal((0L, 0L, 0L, 0), (result.Lost, result.Duplicated, result.OutOfOrder, result.Disconnected));
        Assert.True(result.LatencyP50Ms > 0 && result.LatencyP50Ms <= result.LatencyP99Ms && result.LatencyP99Ms <= result.LatencyMaxMs);
        Assert.Equal(1, result.SteadyAfterSeconds);
        Assert.True(result.SteadyLatencyP50Ms > 0 && result.SteadyLatencyP99Ms <= result.SteadyLatencyMaxMs && result.SteadyLatencyMaxMs <= result.LatencyMaxMs);
        Assert.True(result.DeliveriesPerSecond > 0);
        Assert.True(result.ServerIdleRssBytes > 0 && result.ServerLoadCpuPercent > 0);
        Assert.NotEmpty(result.Timeline);

        var line = ReportWriter.JsonLine(result);
        Assert.StartsWith(ReportWriter.JsonPrefix, line, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(line[ReportWriter.JsonPrefix.Length..]);
        Assert.Equal(result.Received, json.RootElement.GetProperty("received").GetInt64());
        Assert.Contains("latency", ReportWriter.Table(result), StringComparison.Ordinal);
        Assert.Contains("<polyline", SvgPlot.Render(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notify_mode_sends_several_notifications_per_transaction_over_channels_and_counts_each_connection_against_its_channel()
    {
        var prefix = $"c{Guid.NewGuid():N}"[..12] + "_";
        var database = prefix + "0";
        await postgres.Server.CreateDatabaseAsync(database);
        await using var hub = await HubHost.StartAsync(HubSettings.For(database, postgres.Server.ConnectionString(database), Channel + "_0", Channel + "_1"));
        var options = BenchOptions.Parse(
        [
            "--connections", "5", "--processes", "0", "--rate", "60", "--duration", "1", "--drain", "2", "--idle", "0", "--steady-after", "0",
            "--rows-per-commit", "3", "--channels", "2",
            "--url", hub.BaseUrl.ToString(), "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--channel", Channel,
        ]);

        var result = await new BenchRunner(options, TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

        // One writer's commits of three take the two channels in turn; connections 0 to 4 take them in turn too, so
        // three subscribe to the channel of the odd-numbered commits (the first, third, ...) and two to the other.
        var commits = result.Sent / 3;
        Assert.True(commits > 2 && result.Sent % 3 == 0, $"{result.Sent} sent");
        Assert.Equal(("notify", 3, 2, 5), (result.Mode, result.RowsPerCommit, result.Channels, result.Connected));
        Assert.Equal(3 * ((3 * ((commits + 1) / 2)) + (2 * (commits / 2))), result.Expected);
        Assert.Equal(result.Expected, result.Received);
        Assert.Equal((0L, 0L, 0L, 0L), (result.Lost, result.Duplicated, result.OutOfOrder, result.Unrecognized));
    }

    [Theory]
    [InlineData("--connections", "0", "--connections must be greater than zero")]
    [InlineData("--protocol", "xml", "--protocol must be json or messagepack")]
    [InlineData("--bogus", "1", "Unknown option '--bogus'")]
    [InlineData("--server-env", "NOEQUALS", "--server-env expects KEY=VALUE")]
    public void Bad_options_are_refused_naming_the_option(string name, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse([name, value]));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private async Task<(string Database, string ConnectionString)> CreateDatabaseAsync()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync("b");
        return (database, postgres.Server.ConnectionString(database));
    }
}
