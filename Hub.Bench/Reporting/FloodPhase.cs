namespace Hub.Bench.Reporting;

/// <summary>One phase of a flood run: the subscriber's latency and the hub's cost, with or without the flood.</summary>
public sealed record FloodPhase
{
    public double Seconds { get; init; }

    /// <summary>Calls of the flooding connections the hub refused.</summary>
    public long RefusedCalls { get; init; }

    public double RefusedPerSecond => Seconds > 0 ? RefusedCalls / Seconds : 0;

    /// <summary>Calls the hub accepted: 0 unless the flooders' database exists.</summary>
    public long AcceptedCalls { get; init; }

    /// <summary>Connections the flooders opened: each cost the hub a WebSocket and a SignalR handshake.</summary>
    public long FlooderConnects { get; init; }

    /// <summary>Connection attempts of the flooders that failed: refused (429 during a cool-down) or not answered.</summary>
    public long FlooderConnectsFailed { get; init; }

    /// <summary>Open flooding connections the hub closed (for their call rate).</summary>
    public long FlooderConnectionsClosed { get; init; }

    /// <summary>Lines the hub logged during the phase; null when they cannot be counted (a hub given by URL without its log file).</summary>
    public long? LogLines { get; init; }

    public long? LogBytes { get; init; }

    /// <summary>The hub's CPU during the phase, in percent of one core; null when its processes are unknown.</summary>
    public double? ServerCpuPercent { get; init; }

    /// <summary>
    /// This bench process's CPU during the phase (the flooders, the subscriber, the publisher and reading the hub's
    /// output), in percent of one core: what the load generator took from the cores it shares with the hub.
    /// </summary>
    public double ClientCpuPercent { get; init; }

    /// <summary>Every process's CPU during the phase (from /proc/stat), in percent of one core; null where unreadable.</summary>
    public double? MachineCpuPercent { get; init; }

    public long Sent { get; init; }

    public long Received { get; init; }

    public long Lost { get; init; }

    public double LatencyP50Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    public double LatencyMaxMs { get; init; }
}
