namespace Hub.Bench.Reporting;

/// <summary>A flood run: the same measurement without the flood (<see cref="Quiet"/>) and under it (<see cref="Flood"/>).</summary>
public sealed record FloodResult
{
    public string? Label { get; init; }

    public DateTime StartedAt { get; init; }

    public string Machine { get; init; } = "";

    public string Protocol { get; init; } = "";

    public int Flooders { get; init; }

    public double Rate { get; init; }

    public double DurationSeconds { get; init; }

    public FloodPhase Quiet { get; init; } = new();

    public FloodPhase Flood { get; init; } = new();
}
