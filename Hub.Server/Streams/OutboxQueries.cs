using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace Hub.Server.Streams;

/// <summary>The reads the reader and the replay share.</summary>
internal static class OutboxQueries
{
    /// <summary>Up to <paramref name="limit"/> rows after <paramref name="after"/> (of <paramref name="channels"/>, null: all).</summary>
    public static async Task<OutboxBatch> ReadBatchAsync(
        NpgsqlConnection connection, OutboxSql sql, StreamPosition after, int limit, string[]? channels, CancellationToken cancellationToken)
    {
        var rows = new List<OutboxRow>();
        long epoch = 0;
        var purged = default(StreamPosition);
        await foreach (var read in StreamBatchAsync(connection, sql, after, limit, channels, cancellationToken).ConfigureAwait(false))
        {
            (epoch, purged) = (read.Epoch, read.Purged);
            if (read.Row is { } row)
            {
                rows.Add(row);
            }
        }

        return new OutboxBatch(epoch, purged, rows);
    }

    /// <summary>
    /// The rows <see cref="ReadBatchAsync"/> reads, one at a time as they arrive, so that a caller can send each before
    /// the next is read and hold no more than one row. The statement, and its snapshot, stays open until the
    /// enumeration ends; the connection runs nothing else meanwhile.
    /// </summary>
    public static async IAsyncEnumerable<OutboxReadRow> StreamBatchAsync(
        NpgsqlConnection connection,
        OutboxSql sql,
        StreamPosition after,
        int limit,
        string[]? channels,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql.ReadBatch, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = after.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = after.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)channels ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var epoch = reader.GetInt64(0);
            var purged = new StreamPosition(epoch, ParseTx(reader.GetString(1)), reader.GetInt64(2));
            var row = reader.IsDBNull(3)
                ? null
                : new OutboxRow(
                    new StreamPosition(epoch, ParseTx(reader.GetString(3)), reader.GetInt64(4)),
                    reader.GetString(5),
                    reader.GetString(6),
                    reader.GetInt32(7));
            yield return new OutboxReadRow(epoch, purged, row);
        }
    }

    /// <summary>The head and retention mark of the outbox.</summary>
    public static async Task<OutboxHead> ReadHeadAsync(NpgsqlConnection connection, OutboxSql sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql.ReadHead, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The outbox meta row of schema '{sql.Schema}' is missing; run scripts/outbox.sql again.");
        }

        var epoch = reader.GetInt64(0);
        var purged = new StreamPosition(epoch, ParseTx(reader.GetString(1)), reader.GetInt64(2));
        var last = reader.IsDBNull(3) ? StreamPosition.Zero(epoch) : new StreamPosition(epoch, ParseTx(reader.GetString(3)), reader.GetInt64(4));
        return new OutboxHead(StreamPosition.Max(last, purged), purged);
    }

    /// <summary>The cursor the reader stored, if any.</summary>
    public static async Task<StreamPosition?> ReadCursorAsync(NpgsqlConnection connection, OutboxSql sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql.ReadCursor, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamPosition(reader.GetInt64(0), ParseTx(reader.GetString(1)), reader.GetInt64(2))
            : null;
    }

    /// <summary>The age in seconds of the oldest transaction holding an xid on the server: what holds delivery back.</summary>
    public static async Task<double> ReadOldestTransactionAgeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(OutboxSql.OldestTransactionAge, connection);
        return Convert.ToDouble(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static ulong ParseTx(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);
}
