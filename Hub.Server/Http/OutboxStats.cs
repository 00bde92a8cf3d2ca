namespace Hub.Server.Http;

/// <summary>
/// The durable stream of an outbox database in <c>GET /api/stats</c> (null for a plain NOTIFY database).
/// </summary>
/// <param name="Reading">Whether this instance reads the outbox now (it is the database's listener).</param>
/// <param name="Position">The position of the last row this instance sent to clients.</param>
/// <param name="RowsSent">Rows this instance read and sent since it started.</param>
/// <param name="OldestTransactionSeconds">
/// Age of the oldest transaction holding an xid anywhere on the database's server: rows committed by transactions
/// that started after it wait until it ends (see docs/durable-streams.md).
/// </param>
public sealed record OutboxStats(bool Reading, string? Position, long RowsSent, double OldestTransactionSeconds);
