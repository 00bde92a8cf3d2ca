using Hub.Server.Configuration;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Configuration;

/// <summary>
/// The hub started with a bad configuration stops with one line that names the key and exit code 2, no stack trace;
/// a hub started with an unknown key runs and warns about it.
/// </summary>
public sealed class StartupFailureTests
{
    private static Dictionary<string, string> Settings() => new(StringComparer.Ordinal)
    {
        ["Hub:Databases:app:ConnectionString"] = "Host=127.0.0.1;Database=app;Username=postgres",
        ["Hub:Databases:app:Channels:0"] = "hub_events",
        ["Hub:Auth:AllowAnonymous"] = "true",
    };

    [Theory]
    [InlineData("Hub:Limits:CallsPerSecond", "0", "Hub:Limits:CallsPerSecond must be at least 1.")]
    [InlineData("Hub:Listener:SubscribeTimeout", "abc", "Failed to convert configuration value 'abc' at 'Hub:Listener:SubscribeTimeout' to type 'System.TimeSpan'.")]
    [InlineData("Hub:Databases:app:ConnectionString", "", "Hub:Databases:app:ConnectionString is missing.")]
    public async Task Bad_configuration_stops_with_one_line_naming_the_key_and_exit_code_2(string key, string value, string message)
    {
        var settings = Settings();
        settings[key] = value;

        var result = await HubServerCommand.RunAsync(settings);

        Assert.True(result.ExitCode == HubCommandLine.ConfigurationErrorExitCode, result.ToString());
        var line = Assert.Single(result.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal($"Notify Hub configuration is not valid: {message}", line);
        Assert.DoesNotContain("Unhandled exception", result.Output + result.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_key_is_logged_as_a_warning_and_the_hub_runs()
    {
        var settings = HubSettings.For("app", "Host=127.0.0.1;Database=app;Username=postgres", "hub_events");
        settings.Raw["Hub:Listener:SubscribeTimout"] = "00:00:02";

        await using var hub = await HubProcess.StartAsync("typo", settings);

        await Eventually.TrueAsync(
            () => hub.Output.Contains("Configuration key Hub:Listener:SubscribeTimout is not a known setting and is ignored; did you mean Hub:Listener:SubscribeTimeout?", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            $"no warning about the typo: {hub.Output}");
        Assert.Equal(0, await hub.ConnectionsAsync());
    }
}
