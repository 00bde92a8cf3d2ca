using Hub.Server.Databases;
using Npgsql;

namespace Hub.Server.Publishing;

/// <summary>
/// The publishing connections of one database: an Npgsql pool that takes its connections from the hub's
/// <see cref="DatabaseConnectionBudget"/> one at a time, as concurrent publishes need them, and gives them all back
/// once it has been idle for the idle lifetime.
/// </summary>
/// <remarks>
/// The pool never has more publishes in flight than connections taken, so Npgsql never opens more physical
/// connections than that. A pool that holds none and gets none refuses at once
/// (<see cref="DatabaseConnectionsExhaustedException"/>); one that holds some but may take no more waits for one of
/// its own, as any bounded pool does. Giving back clears the Npgsql pool first, so that what is given back is closed.
/// </remarks>
public sealed class PublisherPool : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly string _database;
    private readonly NpgsqlDataSource _source;
    private readonly int _maxConnections;
    private readonly TimeSpan _idleLifetime;
    private readonly TimeSpan _waitTimeout;
    private readonly DatabaseConnectionBudget _budget;
    private readonly TimeProvider _time;
    private readonly ITimer _giveBackTimer;
    private int _taken;
    private int _busy;
    private long _lastReturned;

    /// <summary>Creates the pool of <paramref name="database"/> over <paramref name="source"/>; it holds no connection yet.</summary>
    public PublisherPool(
        string database, NpgsqlDataSource source, int maxConnections, TimeSpan idleLifetime, TimeSpan waitTimeout, DatabaseConnectionBudget budget, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _source = source;
        _maxConnections = maxConnections;
        _idleLifetime = idleLifetime;
        _waitTimeout = waitTimeout;
        _budget = budget;
        _time = time;
        _giveBackTimer = time.CreateTimer(static state => ((PublisherPool)state!).GiveBackIfIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The connections taken from the budget now.</summary>
    public int Taken
    {
        get
        {
            lock (_lock)
            {
                return _taken;
            }
        }
    }

    /// <summary>Opens a connection; disposing the lease returns it.</summary>
    /// <exception cref="DatabaseConnectionsExhaustedException">The pool holds no connection and the budget has none left.</exception>
    /// <exception cref="TimeoutException">Every connection the pool may hold stayed busy for the wait timeout.</exception>
    public async Task<PublisherConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new PublisherConnection(connection, this);
        }
        catch
        {
            Leave();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _giveBackTimer.DisposeAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
        int taken;
        lock (_lock)
        {
            taken = _taken;
            _taken = 0;
        }

        _budget.Give(taken);
    }

    /// <summary>A connection of this pool was returned.</summary>
    internal void Leave()
    {
        lock (_lock)
        {
            // Hand the connection's place to the next waiter; one that gave up already is skipped.
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult())
                {
                    return;
                }
            }

            _busy--;
            _lastReturned = _time.GetTimestamp();
            if (_busy == 0)
            {
                _giveBackTimer.Change(_idleLifetime, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_busy < _taken)
            {
                _busy++;
                return;
            }

            if (_taken < _maxConnections && _budget.TryTake(_database, 1))
            {
                _taken++;
                _busy++;
                return;
            }

            if (_taken == 0)
            {
                throw new DatabaseConnectionsExhaustedException(_database, _budget.Limit);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(_waitTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (!waiter.TrySetCanceled(CancellationToken.None))
            {
                // Handed a place just as the wait ended: it is this call's, so give it on.
                Leave();
            }

            throw;
        }
    }

    private void GiveBackIfIdle()
    {
        int giveBack;
        lock (_lock)
        {
            if (_busy > 0 || _taken == 0)
            {
                return;
            }

            var idle = _time.GetElapsedTime(_lastReturned);
            if (idle < _idleLifetime)
            {
                _giveBackTimer.Change(_idleLifetime - idle, Timeout.InfiniteTimeSpan);
                return;
            }

            // Every connection is idle: clearing closes them all, so they can go back.
            _source.Clear();
            giveBack = _taken;
            _taken = 0;
        }

        _budget.Give(giveBack);
    }
}
