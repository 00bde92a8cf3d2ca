using System.Collections.Concurrent;
using Hub.Server.Databases;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Hub.Server.Listening;

/// <summary>
/// Holds one <see cref="DatabaseListener"/> per database that has had subscribers, and stops them all
/// when the host stops.
/// </summary>
public sealed class ListenerManager : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DatabaseListener> _listeners = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ListenerOptions _options;
    private readonly INotificationSink _sink;
    private readonly IListenerLeadership _leadership;
    private readonly HubActivities _activities;
    private readonly HubMetrics _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly IDatabaseStreamReaderFactory? _streams;
    private readonly DatabaseConnectionBudget _budget;

    /// <summary>Creates the manager; listeners are created on demand.</summary>
    public ListenerManager(
        IOptions<ListenerOptions> options,
        INotificationSink sink,
        IListenerLeadership leadership,
        HubActivities activities,
        HubMetrics metrics,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        DatabaseConnectionBudget budget,
        IDatabaseStreamReaderFactory? streams = null)
    {
        _streams = streams;
        _budget = budget;
        _leadership = leadership;
        _options = options.Value;
        _sink = sink;
        _activities = activities;
        _metrics = metrics;
        _loggerFactory = loggerFactory;
        _time = time;
    }

    /// <summary>
    /// Adds a subscription to each of <paramref name="channels"/> of <paramref name="database"/> and returns
    /// once they are all LISTENed on.
    /// </summary>
    /// <exception cref="TimeoutException">The database did not become ready within <see cref="ListenerOptions.SubscribeTimeout"/>.</exception>
    /// <exception cref="DatabaseConnectionsExhaustedException">The database has no listener running and the hub may open no more connections.</exception>
    public Task AcquireAsync(DatabaseDefinition database, IReadOnlyCollection<string> channels, CancellationToken cancellationToken)
        => GetOrCreate(database).AcquireAsync(channels, _options.SubscribeTimeout, cancellationToken);

    /// <summary>Takes back one subscription from each of <paramref name="channels"/> of <paramref name="database"/>.</summary>
    public void Release(string database, IReadOnlyCollection<string> channels)
    {
        if (_listeners.TryGetValue(database, out var listener))
        {
            listener.Release(channels);
        }
    }

    /// <summary>A view of every listener, for stats and health.</summary>
    public IReadOnlyList<ListenerSnapshot> Snapshot()
        => _listeners.Values.Select(static listener => listener.Snapshot()).OrderBy(static s => s.Database, StringComparer.Ordinal).ToArray();

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_listeners.Values.Select(static listener => listener.DisposeAsync().AsTask()))
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private DatabaseListener GetOrCreate(DatabaseDefinition database)
    {
        if (_listeners.TryGetValue(database.Name, out var existing))
        {
            return existing;
        }

        // Lazy creation under GetOrAdd could open two sinks for one database; a lock keeps it to one.
        lock (_listeners)
        {
            return _listeners.GetOrAdd(database.Name, _ => new DatabaseListener(
                database,
                _options,
                _sink,
                _leadership,
                _activities.ForListener(database.Name),
                _metrics,
                _loggerFactory.CreateLogger<DatabaseListener>(),
                _time,
                _budget,
                _stopping.Token,
                _streams));
        }
    }
}
