namespace Hub.Bench.Running;

/// <summary>A share of the bench's connections, in this process or a child process.</summary>
public interface IBenchWorker : IAsyncDisposable
{
    /// <summary>Opens and subscribes the worker's connections.</summary>
    Task<WorkerReady> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Reports what the connections received; <paramref name="sent"/> is how many notifications each channel got.</summary>
    Task<WorkerResult> CollectAsync(SentCounts sent, CancellationToken cancellationToken);
}
