using System.Globalization;
using Hub.Server.Databases;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Where the reader of one outbox reads from: the cursor it stores after each batch, and the position a new lead
/// starts at (the stored cursor, the head on first use, or a new epoch when the database lost rows the hub had sent).
/// </summary>
internal sealed class OutboxCursor(DatabaseDefinition database, OutboxSql sql, NpgsqlDataSource dataSource, ILogger logger)
{
    /// <summary>
    /// The position to read on from when this instance starts leading. <paramref name="enqueued"/> is the last row this
    /// instance handed to its delivery queue, if any: it goes on from there rather than from a stored cursor that lagged.
    /// </summary>
    public async Task<StreamPosition> StartAsync(StreamPosition? enqueued, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        var head = await OutboxQueries.ReadHeadAsync(connection, sql, token).ConfigureAwait(false);
        var stored = await OutboxQueries.ReadCursorAsync(connection, sql, token).ConfigureAwait(false);

        // A cursor of another epoch: the outbox was truncated since, and all of the new epoch is still to be sent.
        // No cursor at all: the first reader of this outbox starts live, as a plain subscription would.
        var cursor = stored is { } s
            ? (s.Epoch == head.Position.Epoch ? s : StreamPosition.Zero(head.Position.Epoch))
            : head.Position;
        if (enqueued is { } last && last.Epoch == cursor.Epoch)
        {
            cursor = StreamPosition.Max(cursor, last);
        }

        if (stored is null)
        {
            await SaveAsync(connection, cursor, token).ConfigureAwait(false);
        }
        else if (cursor.Epoch == head.Position.Epoch && cursor.IsAfter(head.Purged) && !await RowExistsAsync(connection, cursor, token).ConfigureAwait(false))
        {
            // Rows the hub has sent are gone although retention did not delete them: the database went back in time,
            // and the transaction ids after its recovery can come out below the cursor. Reading on from the cursor
            // would skip those rows, and clients would drop them as repeats; in a new epoch they are neither.
            cursor = await RenewEpochAsync(connection, cursor, token).ConfigureAwait(false);
            await SaveAsync(connection, cursor, token).ConfigureAwait(false);
        }

        return cursor;
    }

    /// <summary>Stores <paramref name="cursor"/>: a new leader resumes from it.</summary>
    public async Task SaveAsync(StreamPosition cursor, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        await SaveAsync(connection, cursor, token).ConfigureAwait(false);
    }

    private async Task SaveAsync(NpgsqlConnection connection, StreamPosition cursor, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql.SaveCursor, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Epoch });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Id });
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }

    private async Task<bool> RowExistsAsync(NpgsqlConnection connection, StreamPosition position, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql.RowExists, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = position.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = position.Id });
        return (bool)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
    }

    private async Task<StreamPosition> RenewEpochAsync(NpgsqlConnection connection, StreamPosition lost, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql.RenewEpoch, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = lost.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = lost.Id });
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        await reader.ReadAsync(token).ConfigureAwait(false);
        var epoch = reader.GetInt64(0);
        var from = reader.IsDBNull(1)
            ? StreamPosition.Zero(epoch)
            : new StreamPosition(epoch, ulong.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetInt64(2));
        StreamsLog.StreamWentBack(logger, database.Name, lost, from);
        return from;
    }
}
