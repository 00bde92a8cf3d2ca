namespace Hub.Bench.Reporting;

/// <summary>One bench run, as printed in the table and the JSON line. Times in milliseconds, memory in bytes.</summary>
public sealed record BenchResult
{
    public string? Label { get; init; }

    /// <summary>The <c>--mode</c> of the run: notify, outbox-publish, or one half of outbox-latency.</summary>
    public string Mode { get; init; } = "notify";

    /// <summary>Publishing connections per database.</summary>
    public int Writers { get; init; } = 1;

    /// <summary>Notifications (or outbox rows) each publishing transaction sent.</summary>
    public int RowsPerCommit { get; init; } = 1;

    /// <summary>Channels per database, the subscribers spread over them.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Notifications (or outbox rows) committed per second while publishing, over all databases.</summary>
    public double PublishedPerSecond { get; init; }

    public DateTime StartedAt { get; init; }

    public string Machine { get; init; } = "";

    public string Protocol { get; init; } = "";

    public int Connections { get; init; }

    /// <summary>Connections opened before the baseline to warm up the hub; not measured.</summary>
    public int WarmupConnections { get; init; }

    public int Processes { get; init; }

    public int Databases { get; init; }

    public double Rate { get; init; }

    public double DurationSeconds { get; init; }

    public int PayloadLength { get; init; }

    public int Connected { get; init; }

    public int ConnectFailed { get; init; }

    public string? ConnectError { get; init; }

    public double ConnectSeconds { get; init; }

    public double ConnectP50Ms { get; init; }

    public double ConnectP99Ms { get; init; }

    public double ConnectMaxMs { get; init; }

    public long Sent { get; init; }

    public long Expected { get; init; }

    public long Received { get; init; }

    /// <summary>
    /// WebSocket messages the subscribers received after subscribing, SignalR's pings included. Fewer than
    /// <see cref="Received"/> when the hub put several notifications in one message.
    /// </summary>
    public long WebSocketMessages { get; init; }

    /// <summary>How many notifications a WebSocket message carried on average: 1 when every one left on its own.</summary>
    public double? NotificationsPerWebSocketMessage => WebSocketMessages > 0 ? Received / (double)WebSocketMessages : null;

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long OutOfOrder { get; init; }

    public long Resyncs { get; init; }

    /// <summary>Notifications whose payload the bench did not send (for example from other publishers on the channel).</summary>
    public long Unrecognized { get; init; }

    public int Disconnected { get; init; }

    public double DeliveriesPerSecond { get; init; }

    public double LatencyP50Ms { get; init; }

    public double LatencyP90Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    public double LatencyMaxMs { get; init; }

    /// <summary>Where the steady state starts, in seconds after the first NOTIFY.</summary>
    public double SteadyAfterSeconds { get; init; }

    /// <summary>The latency of the notifications sent after <see cref="SteadyAfterSeconds"/>.</summary>
    public double SteadyLatencyP50Ms { get; init; }

    public double SteadyLatencyP99Ms { get; init; }

    public double SteadyLatencyMaxMs { get; init; }

    public long? ServerBaselineRssBytes { get; init; }

    public long? ServerIdleRssBytes { get; init; }

    public long? IdleBytesPerConnection { get; init; }

    public long? ServerIdleManagedHeapBytes { get; init; }

    public double? ServerIdleCpuPercent { get; init; }

    public long? ServerLoadRssBytes { get; init; }

    public double? ServerLoadCpuPercent { get; init; }

    /// <summary>The machine's load averages when publishing started (1, 5, 15 minutes).</summary>
    public string? LoadAverageBefore { get; init; }

    /// <summary>The machine's load averages when publishing ended.</summary>
    public string? LoadAverageAfter { get; init; }

    public IReadOnlyList<LatencyPoint> Timeline { get; init; } = [];
}

/// <summary>The latency of the notifications sent in one half-second of the run.</summary>
public sealed record LatencyPoint(double AtSeconds, long Count, double P50Ms, double P99Ms, double MaxMs);
