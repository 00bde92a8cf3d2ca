using System.Globalization;
using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Listening;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Reads the outbox of one database in stream order and sends each row through the database's delivery queue as a
/// notification with its position, while this instance leads the database (its listener says when).
/// </summary>
/// <remarks>
/// Each batch is one statement below the snapshot's xmin (<see cref="OutboxSql.ReadBatch"/>); the cursor is stored
/// once the batch has been handed to the fan-out, so a new leader re-sends at most one batch, which clients drop
/// by position. One loop at a time: a new lead waits for the previous loop to end before it reads the cursor, and
/// returns only once it has, so a subscription made after it misses nothing committed later.
/// </remarks>
public sealed class OutboxReader : IDatabaseStreamReader
{
    private readonly DatabaseDefinition _database;
    private readonly OutboxOptions _options;
    private readonly OutboxSql _sql;
    private readonly IDatabaseSink _deliveries;
    private readonly NpgsqlDataSource _dataSource;
    private readonly OutboxDataSources _dataSources;
    private readonly OutboxSchemaInstaller _installer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private readonly TimeSpan _purgeInterval;
    private readonly SentPositionSignal _sent = new();

    private CancellationTokenSource? _run;
    private Task _loop = Task.CompletedTask;
    private StreamPosition? _position;

    // The last row handed to the delivery queue, which sends it whatever happens to the listener. A new lead of this
    // instance goes on from here rather than from a stored cursor that lagged behind it, so losing the listener
    // connection re-sends nothing; only a failover to another instance can, by at most one batch.
    private StreamPosition? _enqueued;
    private long _rowsSent;
    private double _oldestTransactionSeconds;

    /// <summary>Creates the reader of <paramref name="database"/>; it reads once its listener leads.</summary>
    public OutboxReader(
        DatabaseDefinition database,
        IDatabaseSink deliveries,
        OutboxDataSources dataSources,
        OutboxSchemaInstaller installer,
        ILogger logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(dataSources);
        _database = database;
        _options = database.Outbox ?? throw new ArgumentException("The database is not an outbox database.", nameof(database));
        _sql = new OutboxSql(_options.Schema);
        _deliveries = deliveries;
        _dataSource = dataSources.ReaderOf(database);
        _dataSources = dataSources;
        _installer = installer;
        _logger = logger;
        _time = time;
        // Often enough that expired rows go soon after they expire, never more often than the reader polls.
        _purgeInterval = TimeSpan.FromTicks(Math.Clamp(_options.Retention.Ticks / 4, _options.PollInterval.Ticks, TimeSpan.FromMinutes(1).Ticks));
    }

    /// <inheritdoc />
    public string WakeChannel => _sql.WakeChannel;

    /// <summary>A view for stats and metrics.</summary>
    public OutboxReaderSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new OutboxReaderSnapshot(_database.Name, _run is not null, _position?.ToString(), Interlocked.Read(ref _rowsSent), _oldestTransactionSeconds);
        }
    }

    /// <inheritdoc />
    public void Wake()
    {
        // At most one wake-up is pending: the next batch reads everything committed by then.
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another wake-up got there first.
            }
        }
    }

    /// <inheritdoc />
    public async Task LeadAsync(CancellationToken cancellationToken)
    {
        Task previous;
        lock (_gate)
        {
            if (_run is not null)
            {
                return;
            }

            previous = _loop;
        }

        // The listener calls this and StandDown from its one loop, so no other lead starts meanwhile.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var cursor = await StartAsync(cancellationToken).ConfigureAwait(false);

        // The previous lead may have left rows in the delivery queue; the cursor counts them as sent once they are.
        await _deliveries.SentAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var run = new CancellationTokenSource();
            _run = run;
            _sent.Start(cursor);
            _loop = Task.Run(() => RunAsync(cursor, run), CancellationToken.None);
        }
    }

    /// <summary>
    /// Completes with true once this reader has handed every row up to <paramref name="upTo"/> to the fan-out, with
    /// false when or once it does not lead (then another instance, or nobody, sends the stream).
    /// </summary>
    public Task<bool> WaitForSentAsync(StreamPosition upTo, CancellationToken cancellationToken)
        => _sent.WaitForAsync(upTo, cancellationToken);

    /// <inheritdoc />
    public int Connections => OutboxDataSources.ConnectionsOf(_database);

    /// <inheritdoc />
    public void CloseIdleConnections() => _dataSources.CloseIdle(_database.Name);

    /// <inheritdoc />
    public void StandDown()
    {
        lock (_gate)
        {
            if (_run is { } run)
            {
                _run = null;
                _sent.Stop();
                // Disposed by the loop it belongs to, once that loop has ended.
                run.Cancel();
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        StandDown();
        Task loop;
        lock (_gate)
        {
            loop = _loop;
        }

        await loop.ConfigureAwait(false);
        _wake.Dispose();
    }

    private async Task RunAsync(StreamPosition cursor, CancellationTokenSource run)
    {
        var token = run.Token;
        var lastPurge = _time.GetTimestamp() - _purgeInterval.Ticks;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var batch = await ReadAsync(cursor, token).ConfigureAwait(false);
                    if (batch.Epoch != cursor.Epoch)
                    {
                        StreamsLog.EpochChanged(_logger, _database.Name);
                        cursor = StreamPosition.Zero(batch.Epoch);
                        continue;
                    }

                    if (batch.Rows.Count > 0)
                    {
                        cursor = await SendAsync(batch.Rows, token).ConfigureAwait(false);
                        if (batch.Rows.Count == _options.BatchSize)
                        {
                            continue;
                        }
                    }

                    if (_time.GetElapsedTime(lastPurge) >= _purgeInterval)
                    {
                        lastPurge = _time.GetTimestamp();
                        await PurgeAsync(token).ConfigureAwait(false);
                    }

                    await MeasureHorizonAsync(token).ConfigureAwait(false);
                    await WaitAsync(token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Whatever failed, the reader keeps trying while it leads: clients depend on it.
                catch (Exception ex) when (!token.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    // The cursor in memory stays: what was sent was sent. A lost connection comes back from the pool.
                    StreamsLog.ReadFailed(_logger, _database.Name, _options.PollInterval, ex);
                    await WaitAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stood down.
        }
        finally
        {
            StreamsLog.ReaderStopped(_logger, _database.Name, cursor);
            lock (_gate)
            {
                if (_run == run)
                {
                    _run = null;
                    _sent.Stop();
                }
            }

            run.Dispose();
        }
    }

    /// <summary>Installs the schema if needed and finds where to read from: the stored cursor, or the head on first use.</summary>
    private async Task<StreamPosition> StartAsync(CancellationToken token)
    {
        await _installer.EnsureAsync(_database, token).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        var head = await OutboxQueries.ReadHeadAsync(connection, _sql, token).ConfigureAwait(false);
        var stored = await OutboxQueries.ReadCursorAsync(connection, _sql, token).ConfigureAwait(false);

        // A cursor of another epoch: the outbox was truncated since, and all of the new epoch is still to be sent.
        // No cursor at all: the first reader of this outbox starts live, as a plain subscription would.
        var cursor = stored is { } s
            ? (s.Epoch == head.Position.Epoch ? s : StreamPosition.Zero(head.Position.Epoch))
            : head.Position;
        if (_enqueued is { } enqueued && enqueued.Epoch == cursor.Epoch)
        {
            cursor = StreamPosition.Max(cursor, enqueued);
        }

        if (stored is null)
        {
            await SaveCursorAsync(connection, cursor, token).ConfigureAwait(false);
        }
        else if (cursor.Epoch == head.Position.Epoch && cursor.IsAfter(head.Purged) && !await RowExistsAsync(connection, cursor, token).ConfigureAwait(false))
        {
            // Rows the hub has sent are gone although retention did not delete them: the database went back in time,
            // and the transaction ids after its recovery can come out below the cursor. Reading on from the cursor
            // would skip those rows, and clients would drop them as repeats; in a new epoch they are neither.
            cursor = await RenewEpochAsync(connection, cursor, token).ConfigureAwait(false);
            await SaveCursorAsync(connection, cursor, token).ConfigureAwait(false);
        }

        SetPosition(cursor);
        StreamsLog.ReaderStarted(_logger, _database.Name, cursor);
        return cursor;
    }

    private async Task<bool> RowExistsAsync(NpgsqlConnection connection, StreamPosition position, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(_sql.RowExists, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = position.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = position.Id });
        return (bool)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
    }

    private async Task<StreamPosition> RenewEpochAsync(NpgsqlConnection connection, StreamPosition lost, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(_sql.RenewEpoch, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = lost.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = lost.Id });
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        await reader.ReadAsync(token).ConfigureAwait(false);
        var epoch = reader.GetInt64(0);
        var from = reader.IsDBNull(1)
            ? StreamPosition.Zero(epoch)
            : new StreamPosition(epoch, ulong.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetInt64(2));
        StreamsLog.StreamWentBack(_logger, _database.Name, lost, from);
        return from;
    }

    private async Task<OutboxBatch> ReadAsync(StreamPosition cursor, CancellationToken token)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        return await OutboxQueries.ReadBatchAsync(connection, _sql, cursor, _options.BatchSize, channels: null, token).ConfigureAwait(false);
    }

    private async Task<StreamPosition> SendAsync(IReadOnlyList<OutboxRow> rows, CancellationToken token)
    {
        var receivedAt = _time.GetUtcNow().UtcDateTime;
        foreach (var row in rows)
        {
            // Rows of channels no client may subscribe to are passed over: nobody could be in their group.
            if (_database.AllowsChannel(row.Channel))
            {
                _deliveries.Enqueue(new NotificationEnvelope(_database.Name, row.Channel, row.Payload, row.ProcessId, receivedAt, row.Position.ToString()));
            }
        }

        var last = rows[^1].Position;
        _enqueued = last;

        // Stored only once handed on: a leader that dies before that leaves the batch to its successor.
        await _deliveries.SentAsync().WaitAsync(token).ConfigureAwait(false);
        _sent.Advance(last);
        await using (var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false))
        {
            await SaveCursorAsync(connection, last, token).ConfigureAwait(false);
        }

        Interlocked.Add(ref _rowsSent, rows.Count);
        SetPosition(last);
        StreamsLog.BatchSent(_logger, _database.Name, rows.Count, last);
        return last;
    }

    private async Task SaveCursorAsync(NpgsqlConnection connection, StreamPosition cursor, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(_sql.SaveCursor, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Epoch });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Id });
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }

    private async Task PurgeAsync(CancellationToken token)
    {
        const int PurgeBatch = 1000;
        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        long deleted;
        do
        {
            // Small batches keep each delete's locks and WAL short next to the application's own writes.
            await using var command = new NpgsqlCommand(_sql.Purge, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _options.Retention });
            command.Parameters.Add(new NpgsqlParameter { Value = PurgeBatch });
            deleted = Convert.ToInt64(await command.ExecuteScalarAsync(token).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (deleted > 0)
            {
                StreamsLog.Purged(_logger, _database.Name, deleted);
            }
        }
        while (deleted == PurgeBatch && !token.IsCancellationRequested);
    }

    private async Task MeasureHorizonAsync(CancellationToken token)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(OutboxSql.OldestTransactionAge, connection);
        var seconds = Convert.ToDouble(await command.ExecuteScalarAsync(token).ConfigureAwait(false), CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _oldestTransactionSeconds = seconds;
        }
    }

    private async Task WaitAsync(CancellationToken token)
    {
        await _wake.WaitAsync(_options.PollInterval, token).ConfigureAwait(false);
    }

    private void SetPosition(StreamPosition position)
    {
        lock (_gate)
        {
            _position = position;
        }
    }
}
