using System.Collections.Concurrent;
using Hub.Server.Databases;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Publishing;

/// <summary>
/// One bounded connection pool per database for publishing, shared by every client of this instance.
/// </summary>
/// <remarks>
/// Publishing never uses the listener's connection: that one belongs to the listener loop, and a NOTIFY
/// sent on it would wait behind its <c>WaitAsync</c>.
/// </remarks>
public sealed class PublisherPools(IOptions<PublishOptions> options) : IAsyncDisposable
{
    /// <summary>The <c>application_name</c> of publishing connections, unless the connection string sets one.</summary>
    public const string PublisherApplicationName = "notify-hub publisher";

    /// <summary>The name of <paramref name="database"/>'s pool in metrics: the database's name in the registry, never connection details.</summary>
    public static string PoolName(string database) => $"{database} publisher";

    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _pools = new(StringComparer.Ordinal);

    /// <summary>The pool of <paramref name="database"/>, created on first use.</summary>
    public NpgsqlDataSource For(DatabaseDefinition database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return _pools.GetOrAdd(
            database.Name,
            static (_, state) => new Lazy<NpgsqlDataSource>(() => Create(state.database, state.options)),
            (database, options: options.Value)).Value;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _pools.Values.Where(static p => p.IsValueCreated))
        {
            await pool.Value.DisposeAsync().ConfigureAwait(false);
        }

        _pools.Clear();
    }

    private static NpgsqlDataSource Create(DatabaseDefinition database, PublishOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = true,
            MinPoolSize = 0,
            MaxPoolSize = options.MaxPoolSize,
            Enlist = false,
            Timeout = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds)),
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds)),
        };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = PublisherApplicationName;
        }

        // The pool's name labels its metrics (db_client_connection_pool_name); Npgsql's default would be the
        // connection string, host, port and user included.
        return new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = PoolName(database.Name) }.Build();
    }
}
