using System.Text.Json;
using Hub.Bench.Reporting;
using Hub.Bench.Running;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Bench;

/// <summary>The bench's flood mode runs end to end and reports what it measures; the figures themselves are not judged here.</summary>
public sealed class FloodModeTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Flood_mode_runs_and_reports_refused_calls_log_lines_and_hub_cpu()
    {
        var prefix = $"f{Guid.NewGuid():N}"[..12] + "_";
        var options = FloodOptions.Parse(
        [
            "--flooders", "2", "--rate", "20", "--duration", "1",
            "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--label", "self-test",
        ]);

        var result = await new FloodRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.Equal((2, "self-test"), (result.Flooders, result.Label));
        Assert.Equal((0L, 0L, 0L), (result.Quiet.RefusedCalls, result.Quiet.FlooderConnects, result.Quiet.FlooderConnectionsClosed));
        Assert.True(result.Flood.RefusedCalls > 0 && result.Flood.RefusedPerSecond > 0, "the flooders made refused calls");
        Assert.True(result.Flood.FlooderConnects >= 2, "each flooder's connections are counted");
        Assert.True(result.Flood.ClientCpuPercent > 0, "the load generator's own CPU is read");
        Assert.True(result.Flood.MachineCpuPercent > 0, "the machine's CPU is read");
        Assert.Equal(0, result.Flood.AcceptedCalls);
        // The hub was started here, so its output is counted: the refusals it logged at least.
        Assert.True(result.Flood.LogLines > 0 && result.Flood.LogBytes > result.Flood.LogLines, "the hub's log lines are counted");
        Assert.NotNull(result.Quiet.LogLines);
        Assert.True(result.Flood.ServerCpuPercent > 0 && result.Quiet.ServerCpuPercent >= 0, "the hub's CPU is read");
        Assert.True(result.Quiet.Received > 0 && result.Flood.Received > 0, "the subscriber received in both phases");
        Assert.True(result.Flood.LatencyP50Ms > 0 && result.Flood.LatencyP50Ms <= result.Flood.LatencyMaxMs);

        var table = FloodReport.Table(result);
        Assert.Contains("flood: refused calls", table, StringComparison.Ordinal);
        Assert.Contains("quiet: subscriber", table, StringComparison.Ordinal);
        Assert.Contains("flood: flooders", table, StringComparison.Ordinal);
        var line = FloodReport.JsonLine(result);
        Assert.StartsWith(ReportWriter.JsonPrefix, line, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(line[ReportWriter.JsonPrefix.Length..]);
        Assert.Equal(result.Flood.RefusedCalls, json.RootElement.GetProperty("flood").GetProperty("refusedCalls").GetInt64());
        Assert.Equal(result.Flood.LogLines, json.RootElement.GetProperty("flood").GetProperty("logLines").GetInt64());
    }

    [Fact]
    public void Flood_options_name_what_is_wrong()
    {
        Assert.Equal("--flooders must be greater than zero, got '0'.", Assert.Throws<ArgumentException>(() => FloodOptions.Parse(["--flooders", "0"])).Message);
        Assert.Equal("Unknown option '--connections'.", Assert.Throws<ArgumentException>(() => FloodOptions.Parse(["--connections", "5"])).Message);
        var options = FloodOptions.Parse(["--server-env", "Hub__Limits__CallsPerSecond=50", "--server-log", "/tmp/hub.log"]);
        Assert.Equal([new KeyValuePair<string, string>("Hub__Limits__CallsPerSecond", "50")], options.ServerEnvironment);
        Assert.Equal("/tmp/hub.log", options.ServerLog);
        Assert.Equal("/opt/other/Hub.Server.dll", FloodOptions.Parse(["--server-dll", "/opt/other/Hub.Server.dll"]).ServerDll);
        Assert.Equal("--server-dll needs a value.", Assert.Throws<ArgumentException>(() => FloodOptions.Parse(["--server-dll"])).Message);
    }
}
