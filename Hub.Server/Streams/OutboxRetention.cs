using System.Globalization;
using Hub.Server.Databases;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>Deletes the rows of one outbox older than its retention, in small batches, at most every so often.</summary>
internal sealed class OutboxRetention
{
    private const int PurgeBatch = 1000;

    private readonly string _database;
    private readonly TimeSpan _retention;
    private readonly OutboxSql _sql;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private long _lastPurge;

    public OutboxRetention(DatabaseDefinition database, OutboxOptions options, OutboxSql sql, NpgsqlDataSource dataSource, TimeProvider time, ILogger logger)
    {
        _database = database.Name;
        _retention = options.Retention;
        _sql = sql;
        _dataSource = dataSource;
        _time = time;
        _logger = logger;
        // Often enough that expired rows go soon after they expire, never more often than the reader polls.
        _interval = TimeSpan.FromTicks(Math.Clamp(options.Retention.Ticks / 4, options.PollInterval.Ticks, TimeSpan.FromMinutes(1).Ticks));
    }

    /// <summary>Starts counting the interval for a new lead, as the reader always has.</summary>
    public void Reset() => _lastPurge = _time.GetTimestamp() - _interval.Ticks;

    /// <summary>Purges when the interval has passed since the last purge.</summary>
    public async Task PurgeIfDueAsync(CancellationToken token)
    {
        if (_time.GetElapsedTime(_lastPurge) < _interval)
        {
            return;
        }

        _lastPurge = _time.GetTimestamp();
        await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        long deleted;
        do
        {
            // Small batches keep each delete's locks and WAL short next to the application's own writes.
            await using var command = new NpgsqlCommand(_sql.Purge, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _retention });
            command.Parameters.Add(new NpgsqlParameter { Value = PurgeBatch });
            deleted = Convert.ToInt64(await command.ExecuteScalarAsync(token).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (deleted > 0)
            {
                StreamsLog.Purged(_logger, _database, deleted);
            }
        }
        while (deleted == PurgeBatch && !token.IsCancellationRequested);
    }
}
