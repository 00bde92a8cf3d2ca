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
    private long _outputLines;
    private long _outputBytes;

    private BenchServer(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the hub wrote to its standard output and error so far, when started to count it (else nothing).</summary>
    public LogVolume Output => new(Interlocked.Read(ref _outputLines), Interlocked.Read(ref _outputBytes));

    /// <param name="databases">Database name to connection string.</param>
    /// <param name="channels">The channels each database allows.</param>
    /// <param name="environment">More settings (environment variable form, e.g. DOTNET_gcServer=0).</param>
    /// <param name="outboxDatabases">The databases that are outbox databases (none when null).</param>
    /// <param name="countOutput">Reads the hub's output and counts it in <see cref="Output"/> instead of letting it through to the console.</param>
    /// <param name="serverDll">The Hub.Server.dll to run (another build of the hub); null for the one next to the tool.</param>
    public static async Task<BenchServer> StartAsync(
        IReadOnlyDictionary<string, string> databases,
        IReadOnlyList<string> channels,
        IEnumerable<KeyValuePair<string, string>> environment,
        IReadOnlyCollection<string>? outboxDatabases = null,
        bool countOutput = false,
        string? serverDll = null)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(channels);
        outboxDatabases ??= [];
        ArgumentNullException.ThrowIfNull(environment);
        var port = FreePort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        serverDll = Path.GetFullPath(serverDll ?? Path.Combine(AppContext.BaseDirectory, "Hub.Server.dll"));
        if (!File.Exists(serverDll))
        {
            throw new FileNotFoundException($"No hub at '{serverDll}'.", serverDll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = countOutput,
            RedirectStandardError = countOutput,
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
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
            for (var i = 0; i < channels.Count; i++)
            {
                start.Environment[$"Hub__Databases__{name}__Channels__{i}"] = channels[i];
            }

            if (outboxDatabases.Contains(name))
            {
                start.Environment[$"Hub__Databases__{name}__Outbox__Enabled"] = "true";
            }
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var server = new BenchServer(process, baseUrl);
        if (countOutput)
        {
            process.OutputDataReceived += (_, e) => server.Count(e.Data);
            process.ErrorDataReceived += (_, e) => server.Count(e.Data);
        }

        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start Hub.Server.");
        }

        if (countOutput)
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
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

    private void Count(string? line)
    {
        if (line is not null)
        {
            Interlocked.Increment(ref _outputLines);
            Interlocked.Add(ref _outputBytes, System.Text.Encoding.UTF8.GetByteCount(line) + 1);
        }
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
