using System.Collections.Concurrent;
using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Scaling;
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
    private readonly NotificationFanout _fanout;
    private readonly ListenerLeadership _leadership;
    private readonly DeliveryTelemetry _deliveryTelemetry;
    private readonly HubActivities _activities;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly IDatabaseStreamReaderFactory? _streams;

    /// <summary>Creates the manager; listeners are created on demand.</summary>
    public ListenerManager(
        IOptions<ListenerOptions> options,
        NotificationFanout fanout,
        ListenerLeadership leadership,
        DeliveryTelemetry deliveryTelemetry,
        HubActivities activities,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        IDatabaseStreamReaderFactory? streams = null)
    {
        _streams = streams;
        _leadership = leadership;
        _options = options.Value;
        _fanout = fanout;
        _deliveryTelemetry = deliveryTelemetry;
        _activities = activities;
        _loggerFactory = loggerFactory;
        _time = time;
    }

    /// <summary>
    /// Adds a subscription to each of <paramref name="channels"/> of <paramref name="database"/> and returns
    /// once they are all LISTENed on.
    /// </summary>
    /// <exception cref="TimeoutException">The database did not become ready within <see cref="ListenerOptions.SubscribeTimeout"/>.</exception>
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

        // Lazy creation under GetOrAdd could start two outboxes for one database; a lock keeps it to one.
        lock (_listeners)
        {
            return _listeners.GetOrAdd(database.Name, _ => CreateListener(database));
        }
    }

    private DatabaseListener CreateListener(DatabaseDefinition database)
    {
        var deliveries = new DatabaseOutbox(database.Name, _fanout, _deliveryTelemetry, _loggerFactory.CreateLogger<DatabaseOutbox>());
        return new DatabaseListener(
            database,
            _options,
            deliveries,
            _streams?.Create(database, deliveries),
            _leadership,
            _activities.ForListener(database.Name),
            _loggerFactory.CreateLogger<DatabaseListener>(),
            _time,
            _stopping.Token);
    }
}
