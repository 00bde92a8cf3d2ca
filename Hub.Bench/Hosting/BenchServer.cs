using System.Diagnostics;
using Hub.Testing;

namespace Hub.Bench.Hosting;

/// <summary>
/// The hub as a child process (<c>dotnet Hub.Server.dll</c>, Release build next to the tool), configured through
/// environment variables for the bench's databases, so its CPU and memory can be read from /proc alone.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly Process _process;

    private BenchServer(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    /// <param name="databases">Database name to connection string.</param>
    /// <param name="channel">The one channel each database allows.</param>
    /// <param name="environment">More settings (environment variable form, e.g. DOTNET_gcServer=0).</param>
    public static async Task<BenchServer> StartAsync(IReadOnlyDictionary<string, string> databases, string channel, IEnumerable<KeyValuePair<string, string>> environment)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(environment);
        var port = FreePort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Hub.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(serverDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString());
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Hub__Auth__AllowAnonymous"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, connectionString) in databases)
        {
            start.Environment[$"Hub__Databases__{name}__ConnectionString"] = connectionString;
            start.Environment[$"Hub__Databases__{name}__Channels__0"] = channel;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Hub.Server.");
        var server = new BenchServer(process, baseUrl);
        await server.WaitUntilLiveAsync().ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Hub.Server exited with {_process.ExitCode} during startup.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "/health/live")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("Hub.Server did not answer /health/live within 60 s.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
