using System.Net;
using System.Text.Json;
using Hub.Server.Scaling;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Scaling;

/// <summary>How one instance behaves with and without a backplane, and what it refuses to start with.</summary>
public sealed class ScaleOutConfigurationTests(SharedPostgres postgres)
{
    [Fact]
    public void Listener_lock_key_is_the_same_in_every_process_and_differs_per_database()
    {
        // Pinned: instances of different versions must keep agreeing on it.
        Assert.Equal(-4737682135932033858L, AdvisoryLockKeys.ForListener("app"));
        Assert.NotEqual(AdvisoryLockKeys.ForListener("app"), AdvisoryLockKeys.ForListener("App"));
        Assert.NotEqual(AdvisoryLockKeys.ForListener("app"), AdvisoryLockKeys.ForListener("app2"));
    }

    [Fact]
    public async Task Without_redis_the_listener_takes_no_lock()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var client = await scenario.SubscribedClientAsync();
        Assert.Single(await scenario.ListenerPidsAsync());
        Assert.Empty(await AdvisoryLocks.HoldersAsync(postgres.Server.ConnectionString(), scenario.Database, AdvisoryLockKeys.ForListener(scenario.Database)));

        await scenario.NotifyAsync(HubFixture.Events, "single");
        Assert.Equal("single", (await client.NextNotificationAsync()).Payload);
    }

    [Theory]
    [InlineData("Hub:ScaleOut:ChannelPrefix", " ")]
    [InlineData("Hub:ScaleOut:StandbyLockWait", "00:00:00")]
    [InlineData("Hub:ScaleOut:StandbyLockWait", "1.00:00:00")]
    public async Task A_bad_scale_out_setting_fails_startup_naming_the_key(string key, string value)
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), "events");
        settings.Redis = $"127.0.0.1:{FreePort.Next()}";
        settings.Raw[key] = value;
        await using var hub = new HubHost(settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(hub.StartAsync);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:notaport")]
    [InlineData("abortConnect=maybe")]
    [InlineData("password=secret")]
    public async Task A_bad_redis_configuration_fails_startup_naming_the_key(string redis)
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), "events");
        settings.Redis = redis;
        await using var hub = new HubHost(settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(hub.StartAsync);
        Assert.Contains("Hub:Redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_redis_at_startup_leaves_the_instance_up_and_reports_the_backplane_degraded()
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(settings =>
        {
            settings.Redis = $"127.0.0.1:{FreePort.Next()},connectTimeout=500";
            settings.ScaleOut.ChannelPrefix = "unreachable";
        }).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        await Eventually.TrueAsync(async () => (await http.GetStringAsync("/health/ready")).Contains("Degraded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "readiness should report the backplane as degraded");
        using var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var live = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var stats = await http.GetAsync("/api/stats", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        using var report = JsonDocument.Parse(await stats.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var backplane = report.RootElement.GetProperty("backplane");
        Assert.False(backplane.GetProperty("connected").GetBoolean());
        Assert.True(backplane.GetProperty("downSince").GetDateTime() <= DateTime.UtcNow);
    }
}
