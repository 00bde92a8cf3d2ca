using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The built Hub.Server.dll run as its own process on a free loopback port, configured through environment
/// variables as a deployment would be, so that a test can kill it with SIGKILL.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly ChildProcess _process;

    private HubProcess(string instanceId, int port, ChildProcess process)
    {
        InstanceId = instanceId;
        Port = port;
        _process = process;
    }

    public string InstanceId { get; }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public Uri HubUrl => new(BaseUrl, "/hubs/notifications");

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts an instance with <paramref name="settings"/> (passed as environment variables), and waits until it answers /health/live.
    /// A <paramref name="port"/> of an instance that was killed brings "the same server" back for its clients.
    /// </summary>
    public static async Task<HubProcess> StartAsync(string instanceId, HubSettings settings, int? port = null)
    {
        port ??= FreePort.Next();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["DOTNET_NOLOGO"] = "1",
            ["Hub__InstanceId"] = instanceId,
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Hub"] = "Information",
        };
        foreach (var (key, value) in settings.ToConfiguration())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "Hub.Server.dll");
        var process = ChildProcess.Start(instanceId, "dotnet", [dll], environment, AppContext.BaseDirectory);
        var hub = new HubProcess(instanceId, port.Value, process);
        try
        {
            await Eventually.TrueAsync(hub.IsLiveAsync, TimeSpan.FromSeconds(30), $"{instanceId} did not start: {process.Output}");
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }

        return hub;
    }

    /// <summary>SIGKILL, as a crash or an OOM kill would end it.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGSTOP: the instance freezes with its connections open.</summary>
    public Task PauseAsync() => _process.PauseAsync();

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => _process.ResumeAsync();

    /// <summary>SIGTERM, as a rolling deploy stops an instance; waits up to <paramref name="timeout"/> for it to exit, then kills it.</summary>
    public Task TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    public async Task<JsonElement> StatsAsync()
        => await Http.GetFromJsonAsync<JsonElement>(new Uri(BaseUrl, "/api/stats"));

    /// <summary>This instance's view of <paramref name="database"/> in /api/stats.</summary>
    public async Task<JsonElement> DatabaseStatsAsync(string database)
        => (await StatsAsync()).GetProperty("databases").GetProperty(database);

    public async Task<string> StateOfAsync(string database)
        => (await DatabaseStatsAsync(database)).GetProperty("state").GetString()!;

    public async Task<long> ConnectionsAsync()
        => (await StatsAsync()).GetProperty("connections").GetInt64();

    public async Task<(int Status, string Body)> ReadyAsync()
    {
        using var response = await Http.GetAsync(new Uri(BaseUrl, "/health/ready"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task<bool> IsLiveAsync()
    {
        if (_process.HasExited)
        {
            Assert.Fail($"{InstanceId} exited: {_process.Output}");
        }

        try
        {
            using var response = await Http.GetAsync(new Uri(BaseUrl, "/health/live"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{InstanceId} (port {Port})");
}
