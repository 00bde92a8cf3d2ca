namespace Hub.Server.Streams;

/// <summary>The state of one database's outbox reader, for stats and metrics.</summary>
/// <param name="Database">The database.</param>
/// <param name="Reading">Whether this instance reads the outbox now (it leads the database).</param>
/// <param name="Position">The position of the last row sent to clients, if any was.</param>
/// <param name="RowsSent">Rows sent since the instance started.</param>
/// <param name="OldestTransactionSeconds">
/// The age of the oldest transaction on the database's server that holds an xid: no row of a transaction that
/// started after it can be delivered before it ends. Measured at the reader's polls; 0 when none.
/// </param>
public sealed record OutboxReaderSnapshot(string Database, bool Reading, string? Position, long RowsSent, double OldestTransactionSeconds);
