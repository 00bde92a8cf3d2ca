using System.Text.Json;

namespace Hub.Bench.Running;

/// <summary>The child side of <see cref="WorkerProcess"/>.</summary>
internal static class WorkerMain
{
    public static async Task<int> RunAsync()
    {
        var spec = JsonSerializer.Deserialize<WorkerSpec>(await Console.In.ReadLineAsync().ConfigureAwait(false) ?? "null", BenchJson.Options)
            ?? throw new InvalidOperationException("No worker spec on stdin.");
        await using var worker = new Worker(spec);
        var ready = await worker.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(WorkerProcess.ReadyPrefix + JsonSerializer.Serialize(ready, BenchJson.Options)).ConfigureAwait(false);
        await Console.Out.FlushAsync().ConfigureAwait(false);
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(WorkerProcess.CollectPrefix, StringComparison.Ordinal))
            {
                var sent = JsonSerializer.Deserialize<SentCounts>(line[WorkerProcess.CollectPrefix.Length..], BenchJson.Options)!;
                var result = worker.Collect(sent);
                await Console.Out.WriteLineAsync(WorkerProcess.ResultPrefix + JsonSerializer.Serialize(result, BenchJson.Options)).ConfigureAwait(false);
                await Console.Out.FlushAsync().ConfigureAwait(false);
            }
        }

        return 0;
    }
}
