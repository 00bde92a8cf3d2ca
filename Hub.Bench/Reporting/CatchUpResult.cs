namespace Hub.Bench.Reporting;

/// <summary>One outbox-catchup run: how fast a client behind by <see cref="Rows"/> rows got them all back.</summary>
public sealed record CatchUpResult
{
    public string Mode { get; init; } = "outbox-catchup";

    public string? Label { get; init; }

    public DateTime StartedAt { get; init; }

    public string Machine { get; init; } = "";

    public string Protocol { get; init; } = "";

    /// <summary>Rows published while the client was away.</summary>
    public long Rows { get; init; }

    /// <summary>Notifications the resuming client received before its SubscribeFrom completed.</summary>
    public long Replayed { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long OutOfOrder { get; init; }

    public long Resyncs { get; init; }

    /// <summary>From the SubscribeFrom call to its completion, which comes after the whole replay.</summary>
    public double ReplaySeconds { get; init; }

    public double RowsPerSecond { get; init; }

    /// <summary>What the live subscriber got of the same rows meanwhile.</summary>
    public long LiveReceived { get; init; }

    public long LiveLost { get; init; }
}
