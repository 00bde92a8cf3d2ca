using Hub.Server.Configuration;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Configuration;

/// <summary>
/// <c>dotnet Hub.Server.dll --health-check</c>, the container health check of an image without curl: exit 0 when the
/// hub on this machine answers /health/live, 1 when nothing does.
/// </summary>
public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task Health_check_passes_against_a_running_hub_found_through_HTTP_PORTS()
    {
        await using var hub = await HubProcess.StartAsync("healthy", new HubSettings());

        var result = await HubServerCommand.RunAsync(
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "", ["ASPNETCORE_HTTP_PORTS"] = hub.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            HubCommandLine.HealthCheckSwitch);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"http://127.0.0.1:{hub.Port}/health/live: 200", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_check_fails_when_no_hub_answers()
    {
        var port = FreePort.Next();

        var result = await HubServerCommand.RunAsync(
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://+:{port}" },
            HubCommandLine.HealthCheckSwitch);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"http://127.0.0.1:{port}/health/live", result.Errors, StringComparison.Ordinal);
    }
}
