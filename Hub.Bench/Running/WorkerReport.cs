namespace Hub.Bench.Running;

/// <summary>A worker once its connections are open and subscribed.</summary>
public sealed record WorkerReady(int Connected, int Failed, string? FirstError, double ElapsedSeconds, long[][] ConnectMicros, long ConnectMaxMicros);

/// <summary>What a worker's connections received, for the runner to merge.</summary>
/// <param name="Expected">Deliveries the connections should have received: for each, what its channel got.</param>
public sealed record WorkerResult(
    long Expected,
    long Received,
    long Unique,
    long Duplicated,
    long Lost,
    long OutOfOrder,
    long Resyncs,
    long Unrecognized,
    int Closed,
    long[][] Latency,
    long LatencyMax,
    IReadOnlyList<WorkerSlot> Slots,
    long FirstReceived,
    long LastReceived,
    long WebSocketMessages);

/// <summary>The latencies of the notifications sent within one slot of time.</summary>
public sealed record WorkerSlot(long Slot, long[][] Latency, long Max);
