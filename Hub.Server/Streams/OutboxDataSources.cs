using System.Collections.Concurrent;
using Hub.Server.Databases;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// The connection pools of the outbox databases: a small one for the reader (batches, cursor, retention) and a
/// bounded one of <see cref="OutboxOptions.ReplayPoolSize"/> for <c>SubscribeFrom</c>, so that clients catching up
/// can never starve the reader or the listener.
/// </summary>
public sealed class OutboxDataSources : IAsyncDisposable
{
    /// <summary>The <c>application_name</c> of the reader's connections, unless the connection string sets one.</summary>
    public const string ReaderApplicationName = "notify-hub outbox reader";

    /// <summary>The <c>application_name</c> of the replay connections, unless the connection string sets one.</summary>
    public const string ReplayApplicationName = "notify-hub replay";

    /// <summary>The most connections the reader of one database opens.</summary>
    public const int ReaderPoolSize = 2;

    private readonly ConcurrentDictionary<(string Database, bool Replay), Lazy<NpgsqlDataSource>> _sources = new();

    /// <summary>The name of <paramref name="database"/>'s reader or replay pool in metrics: never connection details.</summary>
    public static string PoolName(string database, bool replay) => $"{database} {(replay ? "replay" : "outbox reader")}";

    /// <summary>The most connections both pools of <paramref name="database"/> open together.</summary>
    public static int ConnectionsOf(DatabaseDefinition database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return ReaderPoolSize + (database.Outbox?.ReplayPoolSize ?? 1);
    }

    /// <summary>Closes the idle connections of both pools of <paramref name="database"/> (busy ones close when returned).</summary>
    public void CloseIdle(string database)
    {
        foreach (var replay in (bool[])[false, true])
        {
            if (_sources.TryGetValue((database, replay), out var source) && source.IsValueCreated)
            {
                source.Value.Clear();
            }
        }
    }

    /// <summary>The reader's pool of <paramref name="database"/>.</summary>
    public NpgsqlDataSource ReaderOf(DatabaseDefinition database) => Get(database, replay: false);

    /// <summary>The replay pool of <paramref name="database"/>.</summary>
    public NpgsqlDataSource ReplayOf(DatabaseDefinition database) => Get(database, replay: true);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values.Where(static s => s.IsValueCreated))
        {
            await source.Value.DisposeAsync().ConfigureAwait(false);
        }

        _sources.Clear();
    }

    private NpgsqlDataSource Get(DatabaseDefinition database, bool replay)
    {
        ArgumentNullException.ThrowIfNull(database);
        return _sources.GetOrAdd(
            (database.Name, replay),
            static (key, database) => new Lazy<NpgsqlDataSource>(() => Create(database, key.Replay)),
            database).Value;
    }

    private static NpgsqlDataSource Create(DatabaseDefinition database, bool replay)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = true,
            MinPoolSize = 0,
            MaxPoolSize = replay ? database.Outbox?.ReplayPoolSize ?? 1 : ReaderPoolSize,
            Enlist = false,
        };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = replay ? ReplayApplicationName : ReaderApplicationName;
        }

        // Named so that their metrics (db_client_connection_pool_name) carry the database and no host, port or user,
        // which Npgsql's default name, the connection string, would.
        return new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = PoolName(database.Name, replay) }.Build();
    }
}
