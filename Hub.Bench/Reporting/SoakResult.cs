namespace Hub.Bench.Reporting;

/// <summary>What a soak run measured; the verdict is <see cref="SoakVerdict"/>'s.</summary>
public sealed record SoakResult
{
    public string? Label { get; init; }

    public DateTime StartedAt { get; init; }

    public string Machine { get; init; } = string.Empty;

    public double DurationSeconds { get; init; }

    public int Connections { get; init; }

    public int Churn { get; init; }

    public int Steady { get; init; }

    public double Rate { get; init; }

    public double WarmUpSeconds { get; init; }

    /// <summary>Churning connections opened and subscribed after the first ones.</summary>
    public long Connects { get; init; }

    /// <summary>Churning connections closed by the bench.</summary>
    public long Disconnects { get; init; }

    /// <summary>Connects or subscribes that failed, churning and steady.</summary>
    public long ConnectsFailed { get; init; }

    /// <summary>Connections the hub closed (churning and steady).</summary>
    public long ClosedByHub { get; init; }

    public long Sent { get; init; }

    /// <summary>What the steady clients missed, got twice or out of order, summed over them.</summary>
    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long OutOfOrder { get; init; }

    public long Resyncs { get; init; }

    public IReadOnlyList<SoakSample> Samples { get; init; } = [];

    public int Errors => (int)(ConnectsFailed + ClosedByHub + Lost + Duplicated + OutOfOrder);
}
