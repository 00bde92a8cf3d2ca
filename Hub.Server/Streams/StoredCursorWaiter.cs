using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Waits for the cursor the leading instance stores to pass a position, woken by the NOTIFY that storing it sends
/// (<see cref="OutboxSql.SentChannel"/>): how a replay on an instance that does not read the outbox learns that the
/// leader has handed the replayed rows to the backplane.
/// </summary>
internal static class StoredCursorWaiter
{
    /// <summary>
    /// Completes with true once the stored cursor is at or after <paramref name="upTo"/> (or of another epoch), with
    /// false when <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<bool> WaitForAsync(
        NpgsqlDataSource dataSource, OutboxSql sql, StreamPosition upTo, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, sql.ListenSent, cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                // Listening before reading: a cursor stored after this read wakes the wait below.
                var stored = await OutboxQueries.ReadCursorAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                if (stored is { } s && (s.Epoch != upTo.Epoch || !upTo.IsAfter(s)))
                {
                    return true;
                }

                var remaining = timeout - time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero || !await connection.WaitAsync(remaining, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
        finally
        {
            // The pool's reset would do this too, unless the connection string turned it off. A broken connection
            // leaves the pool anyway.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                try
                {
                    await ExecuteAsync(connection, sql.UnlistenSent, CancellationToken.None).ConfigureAwait(false);
                }
                catch (NpgsqlException)
                {
                    // Broken meanwhile: nothing listens on it any more.
                }
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string statement, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
