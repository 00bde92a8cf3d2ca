using Npgsql;

namespace Hub.Server.Publishing;

/// <summary>A connection of a <see cref="PublisherPool"/>; disposing it returns it to the pool.</summary>
public sealed class PublisherConnection : IAsyncDisposable
{
    private readonly PublisherPool _pool;
    private int _disposed;

    internal PublisherConnection(NpgsqlConnection connection, PublisherPool pool)
    {
        Connection = connection;
        _pool = pool;
    }

    /// <summary>The open connection.</summary>
    public NpgsqlConnection Connection { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _pool.Leave();
        }
    }
}
