using System.Diagnostics;
using System.Text.Json;

namespace Hub.Bench.Running;

/// <summary>
/// A worker in a child process (<c>Hub.Bench worker</c>), so connections spread over processes: each stays well
/// under its open-file limit, and the load generator uses every core. It talks to the parent in JSON lines on
/// stdin and stdout.
/// </summary>
public sealed class WorkerProcess : IBenchWorker
{
    internal const string ReadyPrefix = "READY ";
    internal const string CollectPrefix = "COLLECT ";
    internal const string ResultPrefix = "RESULT ";

    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static async Task<WorkerProcess> StartAsync(WorkerSpec spec)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        start.ArgumentList.Add("worker");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a bench worker process.");
        await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(spec, BenchJson.Options)).ConfigureAwait(false);
        await process.StandardInput.FlushAsync().ConfigureAwait(false);
        return new WorkerProcess(process);
    }

    public async Task<WorkerReady> ConnectAsync(CancellationToken cancellationToken)
        => JsonSerializer.Deserialize<WorkerReady>(await ReadLineAsync(ReadyPrefix, cancellationToken).ConfigureAwait(false), BenchJson.Options)!;

    public async Task<WorkerResult> CollectAsync(SentCounts sent, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(CollectPrefix + JsonSerializer.Serialize(sent, BenchJson.Options)).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<WorkerResult>(await ReadLineAsync(ResultPrefix, cancellationToken).ConfigureAwait(false), BenchJson.Options)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    /// <summary>The dotnet host that runs this tool, also when it runs inside another app (a test host).</summary>
    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
            : "dotnet";

    private async Task<string> ReadLineAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Bench worker {_process.Id} exited (code {(_process.HasExited ? _process.ExitCode : -1)}) before answering.");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }
    }
}
