namespace Hub.Server.Streams;

/// <summary>Rows read in one snapshot, with the outbox's epoch and retention mark of that snapshot.</summary>
/// <param name="Epoch">The outbox's incarnation.</param>
/// <param name="Purged">The latest position retention deleted (zero when none).</param>
/// <param name="Rows">The rows, in stream order.</param>
public sealed record OutboxBatch(long Epoch, StreamPosition Purged, IReadOnlyList<OutboxRow> Rows);
