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
/// (<see cref="OutboxCursor"/>) once the batch has been handed to the fan-out, so a new leader re-sends at most one
/// batch, which clients drop by position. A batch the delivery queue could not send whole (a send failed) stores
/// nothing and is read again after the poll interval. One loop at a time: a new lead waits for the previous loop to end before it
/// reads the cursor, and returns only once it has, so a subscription made after it misses nothing committed later.
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
    private readonly OutboxCursor _cursor;
    private readonly OutboxRetention _retention;
    private readonly OutboxWakeUp _wake;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SentPositionSignal _sent = new();

    private CancellationTokenSource? _run;
    private Task _loop = Task.CompletedTask;
    private StreamPosition? _position;

    // The last row the delivery queue reported sent. A new lead of this instance goes on from here rather than from a
    // stored cursor that lagged behind it, so losing the listener connection re-sends at most the batch whose send it
    // had not seen complete, as a failover to another instance can; clients drop such repeats by position.
    private StreamPosition? _lastSent;

    // The last row of the batch whose send the loop waits for, and that wait. A loop stood down during it leaves both
    // here: the next lead waits for the same answer and, when every row went out, goes on after them instead of
    // sending them again. Only the loop writes them, and a lead reads them once the loop has ended.
    private StreamPosition? _lastEnqueued;
    private Task<bool>? _pendingSend;
    private long _rowsSent;
    private double _oldestTransactionSeconds;
    private long _horizonMeasuredAt;

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
        _cursor = new OutboxCursor(database, _sql, _dataSource, logger);
        _retention = new OutboxRetention(database, _options, _sql, _dataSource, time, logger);
        _wake = new OutboxWakeUp(_options.PollInterval);
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
    public void Wake() => _wake.Wake();

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
        if (_pendingSend is { } pending && _lastEnqueued is { } enqueued)
        {
            _pendingSend = null;
            if (await pending.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                _lastSent = _lastSent is { } sent && sent.Epoch == enqueued.Epoch ? StreamPosition.Max(sent, enqueued) : enqueued;
            }
        }

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
        _retention.Reset();
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
                        if (!await SendAsync(batch.Rows, token).ConfigureAwait(false))
                        {
                            // Some rows did not go out: read them again from the cursor, everything up to which was sent.
                            StreamsLog.BatchNotSent(_logger, _database.Name, cursor, _options.PollInterval);
                            await _wake.WaitAsync(token).ConfigureAwait(false);
                            continue;
                        }

                        cursor = batch.Rows[^1].Position;
                        if (batch.Rows.Count == _options.BatchSize)
                        {
                            continue;
                        }
                    }

                    await _retention.PurgeIfDueAsync(token).ConfigureAwait(false);
                    await MeasureHorizonAsync(token).ConfigureAwait(false);
                    await _wake.WaitAsync(token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Whatever failed, the reader keeps trying while it leads: clients depend on it.
                catch (Exception ex) when (!token.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    // The cursor in memory stays: what was sent was sent. A lost connection comes back from the pool.
                    StreamsLog.ReadFailed(_logger, _database.Name, _options.PollInterval, ex);
                    await _wake.WaitAsync(token).ConfigureAwait(false);
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
        var cursor = await _cursor.StartAsync(_lastSent, token).ConfigureAwait(false);
        SetPosition(cursor);
        StreamsLog.ReaderStarted(_logger, _database.Name, cursor);
        return cursor;
    }

    private async Task<OutboxBatch> ReadAsync(StreamPosition cursor, CancellationToken token)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        return await OutboxQueries.ReadBatchAsync(connection, _sql, cursor, _options.BatchSize, channels: null, token).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="rows"/> and stores the cursor past them; false, storing nothing, when not all of them went out.</summary>
    private async Task<bool> SendAsync(IReadOnlyList<OutboxRow> rows, CancellationToken token)
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

        // Stored only once handed on: a leader that dies before that leaves the batch to its successor. A batch whose
        // send failed moves nothing, not even in memory, so that no lead of any instance goes on past its rows.
        _lastEnqueued = rows[^1].Position;
        _pendingSend = _deliveries.SentAsync();
        var sentWhole = await _pendingSend.WaitAsync(token).ConfigureAwait(false);
        _pendingSend = null;
        if (!sentWhole)
        {
            return false;
        }

        var last = rows[^1].Position;
        _lastSent = last;
        _sent.Advance(last);
        await _cursor.SaveAsync(last, token).ConfigureAwait(false);
        Interlocked.Add(ref _rowsSent, rows.Count);
        SetPosition(last);
        StreamsLog.BatchSent(_logger, _database.Name, rows.Count, last);
        return true;
    }

    /// <summary>
    /// Reads the age of the oldest transaction that holds delivery back, at most once a poll interval: it is a gauge,
    /// and a round trip after every batch would sit on the path of every row when rows come one or two at a time.
    /// </summary>
    private async Task MeasureHorizonAsync(CancellationToken token)
    {
        if (_horizonMeasuredAt != 0 && _time.GetElapsedTime(_horizonMeasuredAt) < _options.PollInterval)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        var seconds = await OutboxQueries.ReadOldestTransactionAgeAsync(connection, token).ConfigureAwait(false);
        _horizonMeasuredAt = _time.GetTimestamp();
        lock (_gate)
        {
            _oldestTransactionSeconds = seconds;
        }
    }

    private void SetPosition(StreamPosition position)
    {
        lock (_gate)
        {
            _position = position;
        }
    }
}
