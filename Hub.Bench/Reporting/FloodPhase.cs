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

    /// <summary>Flooding connections the hub closed (for their call rate) or refused.</summary>
    public long FlooderConnectionsClosed { get; init; }

    /// <summary>Lines the hub logged during the phase; null when they cannot be counted (a hub given by URL without its log file).</summary>
    public long? LogLines { get; init; }

    public long? LogBytes { get; init; }

    /// <summary>The hub's CPU during the phase, in percent of one core; null when its processes are unknown.</summary>
    public double? ServerCpuPercent { get; init; }

    public long Sent { get; init; }

    public long Received { get; init; }

    public long Lost { get; init; }

    public double LatencyP50Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    public double LatencyMaxMs { get; init; }
}
