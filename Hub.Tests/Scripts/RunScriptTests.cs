using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Scripts;

/// <summary>
/// <c>scripts/run.sh</c>, the quick start, run as a user would: its banner only once the hub answers, a loud failure
/// with the hub's reason when it does not start, and Ctrl+C/SIGTERM passed on to the hub. Each run uses ports and a
/// PostgreSQL data folder of its own, and the test's built Hub.Server.dll.
/// </summary>
public sealed partial class RunScriptTests : IAsyncLifetime
{
    private const string Banner = "Live page:";
    private readonly string _pgRoot = Directory.CreateTempSubdirectory("hub-run-sh-").FullName;
    private readonly int _pgPort = FreePort.Next();
    private bool _postgresStarted;

    [Fact]
    public async Task Port_in_use_fails_loudly_before_anything_starts()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var run = Start(port);
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"scripts/run.sh: port {port} on 127.0.0.1 is already in use", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Banner, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_that_does_not_start_ends_the_script_with_its_exit_code_and_reason_and_no_banner()
    {
        _postgresStarted = true;
        await using var run = Start(FreePort.Next(), new() { ["Hub__Limits__CallsPerSecond"] = "0" });
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 2, $"exit {exitCode}: {run.Output}");
        Assert.Contains("Notify Hub configuration is not valid: Hub:Limits:CallsPerSecond must be at least 1.", run.Output, StringComparison.Ordinal);
        Assert.Contains("scripts/run.sh: the hub did not start (exit code 2)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Banner, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Banner_comes_once_the_hub_answers_and_SIGTERM_stops_the_hub_with_the_script()
    {
        _postgresStarted = true;
        var port = FreePort.Next();
        await using var run = Start(port, new() { ["ASPNETCORE_ENVIRONMENT"] = "Staging" });

        await Eventually.TrueAsync(() => run.Output.Contains(Banner, StringComparison.Ordinal) || run.HasExited, TimeSpan.FromMinutes(3), $"no banner: {run.Output}");
        Assert.False(run.HasExited, run.Output);
        using (var http = new HttpClient())
        {
            // The banner's promise: the hub answers now, in the environment asked for.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"), TestContext.Current.CancellationToken)).StatusCode);
        }

        Assert.Contains("Notify Hub is running (Staging)", run.Output, StringComparison.Ordinal);
        var hubPid = int.Parse(HubPid().Match(run.Output).Groups["pid"].Value, CultureInfo.InvariantCulture);

        await ExternalProcess.RunAsync("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)]);
        await run.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.False(Directory.Exists($"/proc/{hubPid}"), $"the hub (pid {hubPid}) outlived the script: {run.Output}");
        Assert.Contains("Application is shutting down", run.Output, StringComparison.Ordinal);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_postgresStarted)
        {
            await using var stop = ChildProcess.Start("pg-local.sh stop", "bash", [RepositoryFiles.PathOf("scripts", "pg-local.sh"), "stop"], Environment(), RepositoryFiles.Root);
            await stop.WaitForExitAsync(TimeSpan.FromMinutes(1));
        }

        Directory.Delete(_pgRoot, recursive: true);
    }

    private ChildProcess Start(int hubPort, Dictionary<string, string>? extra = null)
    {
        var environment = Environment();
        environment["HUB_PORT"] = hubPort.ToString(CultureInfo.InvariantCulture);
        environment["HUB_SERVER_DLL"] = Path.Combine(AppContext.BaseDirectory, "Hub.Server.dll");
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        return ChildProcess.Start("run.sh", "bash", [RepositoryFiles.PathOf("scripts", "run.sh")], environment, RepositoryFiles.Root);
    }

    private Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["PGPORT"] = _pgPort.ToString(CultureInfo.InvariantCulture),
        ["PG_LOCAL_ROOT"] = _pgRoot,
        ["DOTNET_NOLOGO"] = "1",
    };

    [GeneratedRegex(@"Notify Hub is running \(\w+\), pid (?<pid>\d+)")]
    private static partial Regex HubPid();
}
