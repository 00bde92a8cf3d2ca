using System.Collections.Concurrent;
using Hub.Server.Databases;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Publishing;

/// <summary>
/// One bounded connection pool per database for publishing, shared by every client of this instance, whose
/// connections count against the hub's <see cref="DatabaseConnectionBudget"/> while it holds them.
/// </summary>
/// <remarks>
/// Publishing never uses the listener's connection: that one belongs to the listener loop, and a NOTIFY
/// sent on it would wait behind its <c>WaitAsync</c>.
/// </remarks>
public sealed class PublisherPools(IOptions<PublishOptions> options, DatabaseConnectionBudget budget, TimeProvider time) : IAsyncDisposable
{
    /// <summary>The <c>application_name</c> of publishing connections, unless the connection string sets one.</summary>
    public const string PublisherApplicationName = "notify-hub publisher";

    /// <summary>The name of <paramref name="database"/>'s pool in metrics: the database's name in the registry, never connection details.</summary>
    public static string PoolName(string database) => $"{database} publisher";

    private readonly ConcurrentDictionary<string, Lazy<PublisherPool>> _pools = new(StringComparer.Ordinal);

    /// <summary>The pool of <paramref name="database"/>, created on first use.</summary>
    public PublisherPool For(DatabaseDefinition database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return _pools.GetOrAdd(
            database.Name,
            static (_, state) => new Lazy<PublisherPool>(() => Create(state.database, state.options, state.budget, state.time)),
            (database, options: options.Value, budget, time)).Value;
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

    private static PublisherPool Create(DatabaseDefinition database, PublishOptions options, DatabaseConnectionBudget budget, TimeProvider time)
    {
        var idleSeconds = Math.Max(1, (int)Math.Ceiling(options.IdleLifetime.TotalSeconds));
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = true,
            MinPoolSize = 0,
            MaxPoolSize = options.MaxPoolSize,
            Enlist = false,
            Timeout = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds)),
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds)),
            // Npgsql closes the connections that stayed idle over the whole lifetime, sampling at each pruning
            // interval: a connection idle for the lifetime is closed within about one more interval. When the whole
            // pool has been idle that long, it closes them all itself and gives them back to the budget.
            ConnectionIdleLifetime = idleSeconds,
            ConnectionPruningInterval = Math.Clamp(idleSeconds / 3, 1, 10),
        };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = PublisherApplicationName;
        }

        // The pool's name labels its metrics (db_client_connection_pool_name); Npgsql's default would be the
        // connection string, host, port and user included.
        var source = new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = PoolName(database.Name) }.Build();
        return new PublisherPool(database.Name, source, options.MaxPoolSize, options.IdleLifetime, options.Timeout, budget, time);
    }
}
