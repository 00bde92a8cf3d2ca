using System.Globalization;
using Hub.Server.Streams;
using Hub.Tests.Infrastructure;
using Npgsql;

namespace Hub.Tests.Streams;

public sealed class StoredCursorWaiterTests(SharedPostgres postgres)
{
    private const string WaiterApplication = "stored cursor waiter test";

    [Fact]
    public async Task Storing_the_cursor_past_the_position_wakes_the_waiter()
    {
        var (waiter, writer, sql, epoch) = await InstalledOutboxAsync();
        await using var _ = waiter;
        await using var __ = writer;
        var upTo = new StreamPosition(epoch, 1000, 5);
        await SaveCursorAsync(writer, sql, upTo with { Id = 4 });

        // Long enough that only the NOTIFY of a stored cursor, not the timeout, can end the wait within the test.
        var waiting = StoredCursorWaiter.WaitForAsync(waiter, sql, upTo, TimeSpan.FromMinutes(5), TimeProvider.System, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => WaitingAsync(sql), TimeSpan.FromSeconds(10), "the waiter should have read the cursor and wait");
        await SaveCursorAsync(writer, sql, upTo with { Id = 3 });
        await SaveCursorAsync(writer, sql, upTo);

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(0, await ListeningChannelsAsync(waiter));
    }

    [Fact]
    public async Task A_cursor_already_past_returns_at_once_and_one_that_never_gets_there_times_out()
    {
        var (waiter, writer, sql, epoch) = await InstalledOutboxAsync();
        await using var _ = waiter;
        await using var __ = writer;
        await SaveCursorAsync(writer, sql, new StreamPosition(epoch, 1000, 5));

        Assert.True(await StoredCursorWaiter.WaitForAsync(waiter, sql, new StreamPosition(epoch, 999, 80), TimeSpan.FromMinutes(5), TimeProvider.System, TestContext.Current.CancellationToken));
        Assert.True(await StoredCursorWaiter.WaitForAsync(waiter, sql, new StreamPosition(epoch + 1, 2000, 1), TimeSpan.FromMinutes(5), TimeProvider.System, TestContext.Current.CancellationToken));
        Assert.False(await StoredCursorWaiter.WaitForAsync(waiter, sql, new StreamPosition(epoch, 1000, 6), TimeSpan.FromMilliseconds(300), TimeProvider.System, TestContext.Current.CancellationToken));
    }

    private async Task<(NpgsqlDataSource Waiter, NpgsqlDataSource Writer, OutboxSql Sql, long Epoch)> InstalledOutboxAsync()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        // One connection, so that what the waiter leaves on it is what the next user of the pool gets.
        var waiter = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString(database))
        {
            ApplicationName = WaiterApplication,
            MaxPoolSize = 1,
        }.ConnectionString);
        var dataSource = NpgsqlDataSource.Create(postgres.Server.ConnectionString(database));
        var sql = new OutboxSql(Hub.Server.Databases.OutboxOptions.DefaultSchema);
        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using (var install = new NpgsqlCommand(sql.Install, connection))
        {
            await install.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var epoch = new NpgsqlCommand("SELECT epoch FROM notify_hub.meta", connection);
        return (waiter, dataSource, sql, (long)(await epoch.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    private static async Task SaveCursorAsync(NpgsqlDataSource dataSource, OutboxSql sql, StreamPosition cursor)
    {
        await using var command = dataSource.CreateCommand(sql.SaveCursor);
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Epoch });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Tx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Id });
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Whether the waiter's connection sits idle after reading the cursor: it waits for a notification.</summary>
    private async Task<bool> WaitingAsync(OutboxSql sql)
    {
        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' AND query = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = WaiterApplication });
        command.Parameters.Add(new NpgsqlParameter { Value = sql.ReadCursor });
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 1;
    }

    private static async Task<long> ListeningChannelsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM pg_listening_channels()");
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
