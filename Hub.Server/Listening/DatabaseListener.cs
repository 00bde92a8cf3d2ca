using Hub.Server.Databases;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Listening;

/// <summary>
/// The one LISTEN connection of one database, shared by all its subscribers: what subscribing and unsubscribing,
/// stats and shutdown see of it.
/// </summary>
/// <remarks>
/// <para>
/// Its parts, each with one job: <see cref="ListenerLoop"/> owns the connection (connect, keepalive, backoff, close
/// when idle); <see cref="ListenReconciler"/> brings the connection's LISTEN set in line with the channels wanted;
/// <see cref="ListenerForwarding"/> decides whether what arrives goes to clients (leadership with a backplane) and
/// hands it to the database's sink; <see cref="ListenerStatus"/> holds what other threads see (state, subscriptions
/// and waiters, LISTEN set, figures) under one lock, and is the one place the state changes.
/// </para>
/// <para>
/// Callers never touch the connection: they change the subscriptions under the status's gate and wake the loop,
/// which interrupts <see cref="ListenerConnection.WaitAsync"/> (the one operation on the connection that a token may
/// cut short). What only the loop touches (the connection, backoff, outage and forwarding bookkeeping) needs no lock:
/// Npgsql raises the notifications inside the loop's own awaits on that connection.
/// </para>
/// <para>
/// An outbox database (<see cref="IDatabaseStreamReader"/>) is served the same way, except that the connection LISTENs
/// only on the stream's wake-up channel and the rows reach clients from the stream's reader, never from a NOTIFY; the
/// listener tells the reader when this instance starts and stops forwarding. Its subscribers miss nothing across a
/// reconnect or a failover (the reader resumes from its stored cursor), so they get no resync for either.
/// </para>
/// </remarks>
public sealed class DatabaseListener : IAsyncDisposable
{
    private readonly string _database;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DatabaseConnectionBudget _budget;
    private readonly IDatabaseSink _deliveries;
    private readonly IDatabaseStreamReader? _stream;
    private readonly ListenerStatus _status;
    private readonly ListenerLoop _loop;

    /// <summary>Creates the listener of <paramref name="database"/>; it connects on its first subscriber.</summary>
    public DatabaseListener(
        DatabaseDefinition database,
        ListenerOptions options,
        INotificationSink sink,
        IListenerLeadership leadership,
        ListenerTracer tracer,
        HubMetrics metrics,
        ILogger logger,
        TimeProvider time,
        DatabaseConnectionBudget budget,
        CancellationToken stopping,
        IDatabaseStreamReaderFactory? streams = null)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(sink);
        _database = database.Name;
        _logger = logger;
        _time = time;
        _budget = budget;
        // Opened here and disposed in DisposeAsync: the listener owns its database's sink.
        _deliveries = sink.Open(database.Name);
        _stream = streams?.Create(database, _deliveries);
        _status = new ListenerStatus(database.Name, metrics, logger);
        var reconciler = new ListenReconciler(database, leadership, _stream, _status, logger);
        var forwarding = new ListenerForwarding(database.Name, options, leadership, _deliveries, _stream, _status, reconciler, logger, time, stopping);
        _loop = new ListenerLoop(database, options, _status, forwarding, reconciler, _stream, tracer, logger, time, budget, stopping);
    }

    /// <summary>
    /// Adds one subscription to each of <paramref name="channels"/> and waits until the connection
    /// LISTENs on all of them, so that every NOTIFY committed after this returns is delivered.
    /// On failure or cancellation the subscriptions are taken back.
    /// </summary>
    /// <exception cref="TimeoutException">The connection or its LISTEN was not ready within <paramref name="timeout"/>.</exception>
    /// <exception cref="DatabaseConnectionsExhaustedException">The listener is not running and the hub may open no more connections.</exception>
    public async Task AcquireAsync(IReadOnlyCollection<string> channels, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ActivationWaiter? waiter = null;
        lock (_status.Gate)
        {
            if (!_loop.TryStartLocked())
            {
                throw new DatabaseConnectionsExhaustedException(_database, _budget.Limit);
            }

            _status.Subscriptions.Add(channels);
            if (!_status.IsServingLocked(channels))
            {
                waiter = _status.Subscriptions.Wait(channels);
                _status.WakeLocked();
            }
        }

        if (waiter is null)
        {
            return;
        }

        try
        {
            await waiter.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_status.Gate)
            {
                _status.Subscriptions.Forget(waiter);
            }

            Release(channels);
            throw;
        }
    }

    /// <summary>Takes back one subscription from each of <paramref name="channels"/>.</summary>
    public void Release(IReadOnlyCollection<string> channels)
    {
        lock (_status.Gate)
        {
            if (_status.Subscriptions.Remove(channels))
            {
                _status.WakeLocked();
            }
        }
    }

    /// <summary>A point-in-time view for stats and health.</summary>
    public ListenerSnapshot Snapshot() => _status.Snapshot(_deliveries.Pending);

    /// <summary>Waits for the loop to close the connection after the host started stopping, then drains the delivery sink.</summary>
    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_status.Gate)
        {
            loop = _loop.RunningLocked;
            _status.WakeLocked();
        }

        ListenerLog.Stopping(_logger, _database);
        await loop.ConfigureAwait(false);
        if (_stream is not null)
        {
            // Before the sink: the reader's last batch must still have somewhere to go.
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        ListenerLog.Stopped(_logger, _database, _deliveries.Pending);
        await _deliveries.DisposeAsync().ConfigureAwait(false);
        _status.Dispose();
    }
}
