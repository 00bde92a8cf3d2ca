using System.Text.Json;
using Hub.Bench.Reporting;
using Hub.Bench.Running;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Bench;

/// <summary>The bench's soak mode runs end to end for a few seconds and reports what it samples; whether a real soak is flat is not judged here.</summary>
public sealed class SoakModeTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Soak_mode_churns_connections_samples_the_hub_and_counts_what_the_steady_clients_got()
    {
        var prefix = $"s{Guid.NewGuid():N}"[..12] + "_";
        var options = SoakOptions.Parse(
        [
            "--duration", "20", "--connections", "40", "--churn", "5", "--steady", "3", "--rate", "5",
            "--sample-every", "2", "--warm-up", "4",
            "--connection-string", postgres.Server.ConnectionString(), "--database-prefix", prefix, "--label", "self-test",
        ]);

        var result = await new SoakRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.True(result.Samples.Count >= 8, $"a sample every 2 s for 20 s, got {result.Samples.Count}");
        Assert.All(result.Samples, static s => Assert.True(s.ResidentBytes > 0 && s.ManagedHeapBytes > 0 && s.Handles > 0 && s.Threads > 0, s.ToString()));
        // 40 churning and 3 steady connections, give or take the ones being replaced at that moment.
        Assert.All(result.Samples.SkipLast(1), static s => Assert.InRange(s.Connections, 38, 45));
        Assert.True(result.Samples[^1].GcPauseSeconds >= result.Samples[0].GcPauseSeconds, "the GC pause total only grows");
        Assert.InRange(result.Disconnects, 50, 110);
        Assert.InRange(result.Connects, 50, 110);
        Assert.Equal((0L, 0L), (result.ConnectsFailed, result.ClosedByHub));
        Assert.True(result.Sent >= 50, $"5 NOTIFY/s for 20 s, sent {result.Sent}");
        Assert.Equal((0L, 0L, 0L), (result.Lost, result.Duplicated, result.OutOfOrder));
        Assert.Equal(5, SoakVerdict.Figures(result).Count);

        var table = SoakReport.Table(result);
        Assert.Contains("elapsed s  RSS MB", table, StringComparison.Ordinal);
        Assert.Contains("verdict:", table, StringComparison.Ordinal);
        var line = SoakReport.JsonLine(result);
        using var json = JsonDocument.Parse(line[ReportWriter.JsonPrefix.Length..]);
        Assert.Equal(result.Samples.Count, json.RootElement.GetProperty("samples").GetArrayLength());
        Assert.Equal(result.Connects, json.RootElement.GetProperty("connects").GetInt64());
    }

    [Fact]
    public void The_verdict_sees_growth_in_the_last_third_and_ignores_the_warm_up()
    {
        static SoakSample Sample(double at, long rssMegabytes) => new(at, rssMegabytes * 1024 * 1024, 10 * 1024 * 1024, at / 1000, 100, 30, 5000);
        var flat = new SoakResult { WarmUpSeconds = 60, Samples = [Sample(0, 900), .. Enumerable.Range(2, 9).Select(i => Sample(i * 30, 200))] };
        var growing = flat with { Samples = [.. Enumerable.Range(2, 9).Select(i => Sample(i * 30, 200 + (i * 20)))] };

        Assert.True(SoakVerdict.IsFlat(flat), "the warm-up's 900 MB is left out");
        Assert.False(SoakVerdict.IsFlat(growing));
        Assert.False(SoakVerdict.Figures(growing).Single(static f => f.Name == "RSS").Flat);
        Assert.False(SoakVerdict.IsFlat(flat with { Lost = 1 }), "an error makes a flat run fail");
        Assert.Empty(SoakVerdict.Figures(flat with { Samples = flat.Samples.Take(3).ToArray() }));
    }

    [Fact]
    public void Soak_options_name_what_is_wrong()
    {
        Assert.Equal(TimeSpan.FromMinutes(30), SoakOptions.Parse([]).Duration);
        Assert.Equal((5000, 50), (SoakOptions.Parse([]).Connections, SoakOptions.Parse([]).Churn));
        Assert.Equal("--connections must be greater than zero, got '0'.", Assert.Throws<ArgumentException>(() => SoakOptions.Parse(["--connections", "0"])).Message);
        Assert.Equal("--churn (60) must not be more than --connections (50).", Assert.Throws<ArgumentException>(() => SoakOptions.Parse(["--connections", "50", "--churn", "60"])).Message);
        Assert.Equal("Unknown option '--flooders'.", Assert.Throws<ArgumentException>(() => SoakOptions.Parse(["--flooders", "2"])).Message);
        Assert.Equal("--duration needs a value.", Assert.Throws<ArgumentException>(() => SoakOptions.Parse(["--duration"])).Message);
    }
}
