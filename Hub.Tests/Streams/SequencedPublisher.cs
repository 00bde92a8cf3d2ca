using System.Globalization;
using Npgsql;

namespace Hub.Tests.Streams;

/// <summary>
/// Publishes the numbered events 0 to N - 1 through <c>notify_hub.publish</c> at a steady rate, each in one
/// transaction with a row of the application's own (<c>published</c>), through every fault: a publish whose outcome
/// a lost connection hid is tried again, and the primary key of <c>published</c> says whether it had committed. So
/// each number is in the outbox exactly once, which is what the clients are counted against.
/// </summary>
public sealed class SequencedPublisher
{
    private readonly string _connectionString;
    private readonly int _count;
    private readonly int _perSecond;
    private readonly TaskCompletionSource _mayFinish = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _published;

    public SequencedPublisher(string connectionString, int count, int perSecond)
    {
        _connectionString = connectionString;
        _count = count;
        _perSecond = perSecond;
    }

    /// <summary>How many have committed.</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>Creates the application's table.</summary>
    public async Task PrepareAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS published (seq int PRIMARY KEY)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Lets the last tenth go at full rate: until then it slows to a trickle near the end, so that events are still
    /// being published while the last fault happens.
    /// </summary>
    public void AllowFinish() => _mayFinish.TrySetResult();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1.0 / _perSecond);
        var started = DateTime.UtcNow;
        NpgsqlConnection? connection = null;
        try
        {
            for (var seq = 0; seq < _count; seq++)
            {
                if (seq >= _count * 9 / 10 && !_mayFinish.Task.IsCompleted)
                {
                    await Task.WhenAny(_mayFinish.Task, Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken));
                }
                else
                {
                    var due = started + (interval * seq);
                    if (due > DateTime.UtcNow)
                    {
                        await Task.Delay(due - DateTime.UtcNow, cancellationToken);
                    }
                }

                connection = await PublishAsync(connection, seq, cancellationToken);
                Volatile.Write(ref _published, seq + 1);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<NpgsqlConnection> PublishAsync(NpgsqlConnection? connection, int seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (connection is null)
                {
                    connection = new NpgsqlConnection(_connectionString);
                    await connection.OpenAsync(cancellationToken);

                    // The test servers run without synchronous commit: a commit could then still be lost in the
                    // restart's crash, and an event PostgreSQL lost is not one the hub could deliver.
                    await using var durable = new NpgsqlCommand("SET synchronous_commit = on", connection);
                    await durable.ExecuteNonQueryAsync(cancellationToken);
                }

                // One statement, one transaction: the application's row and the event commit together or not at all.
                await using var command = new NpgsqlCommand(
                    "WITH p AS (INSERT INTO published (seq) VALUES ($1) RETURNING seq) SELECT notify_hub.publish('events', seq::text) FROM p",
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = seq });
                await command.ExecuteNonQueryAsync(cancellationToken);
                return connection;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // The try whose answer was lost had committed.
                return connection!;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                    connection = null;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Published} of {_count} published");
}
