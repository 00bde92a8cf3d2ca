namespace Hub.Server.Streams;

/// <summary>
/// One result row of a batch read as it streams in: the outbox's epoch and retention mark of the statement's snapshot
/// (the same on every row), and the outbox row, or null when the batch found none.
/// </summary>
/// <param name="Epoch">The outbox's incarnation.</param>
/// <param name="Purged">The latest position retention deleted (zero when none).</param>
/// <param name="Row">The row, in stream order; null for the one result row of an empty batch.</param>
internal readonly record struct OutboxReadRow(long Epoch, StreamPosition Purged, OutboxRow? Row);
