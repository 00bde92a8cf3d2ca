using Microsoft.Extensions.Options;

namespace Hub.Server.Databases;

/// <summary>
/// The PostgreSQL connections the hub may open, over every database: a part that may open connections takes them
/// from here first (a listener one for as long as it runs, a pool one for each connection it may hold) and gives them
/// back when it has closed them. What is taken is never taken away, so a database that is served stays served
/// however many others ask.
/// </summary>
/// <remarks>
/// The count is of connections that are or may be open, not of those open this instant: a part takes before it opens
/// and gives back after it has closed, so the hub never holds more than <see cref="Limit"/>, whatever races.
/// A refusal is logged once at Warning until something is given back (then the next refusal is news again), at
/// Debug otherwise, so a flood of refused requests does not flood the log.
/// </remarks>
public sealed class DatabaseConnectionBudget(IOptions<DatabaseConnectionBudgetOptions> options, ILogger<DatabaseConnectionBudget> logger)
{
    private readonly Lock _lock = new();
    private readonly int _limit = options.Value.MaxConnections;
    private int _inUse;
    private long _refused;
    private bool _refusalLogged;

    /// <summary>The connections the hub may open in all.</summary>
    public int Limit => _limit;

    /// <summary>The connections taken now.</summary>
    public int InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>Connections refused since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Takes <paramref name="connections"/> for <paramref name="database"/> if that many are left.</summary>
    /// <returns>Whether they were taken; when not, nothing was.</returns>
    public bool TryTake(string database, int connections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        int inUse;
        bool first;
        lock (_lock)
        {
            if (_inUse + connections <= _limit)
            {
                _inUse += connections;
                return true;
            }

            inUse = _inUse;
            first = !_refusalLogged;
            _refusalLogged = true;
        }

        Interlocked.Increment(ref _refused);
        if (first)
        {
            DatabasesLog.Exhausted(logger, database, connections, inUse, _limit);
        }
        else
        {
            DatabasesLog.Refused(logger, database, connections, inUse, _limit);
        }

        return false;
    }

    /// <summary>Gives back <paramref name="connections"/> that were taken and are closed now.</summary>
    public void Give(int connections)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(connections);
        lock (_lock)
        {
            _inUse = Math.Max(0, _inUse - connections);
            _refusalLogged = false;
        }
    }
}
