using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.Server.Listening;

/// <summary>
/// The one LISTEN connection of one database, shared by all its subscribers.
/// </summary>
/// <remarks>
/// <para>
/// A single loop owns the connection (<c>DatabaseListener.Loop.cs</c>): it opens it, brings its LISTEN set in line
/// with the channels that have subscribers and, with a backplane, takes or waits for the database's leadership
/// (<c>DatabaseListener.Channels.cs</c>), waits for notifications, probes the connection when it is quiet, reconnects
/// with backoff when it is lost, and closes it once the last subscriber has been gone for the grace period. The
/// subscription counts and waiters are <see cref="ListenerSubscriptions"/>, the LISTEN set <see cref="ListenSet"/>.
/// </para>
/// <para>
/// One synchronization story: everything another thread can see (state, subscriptions, waiters, the LISTEN set,
/// the figures of <see cref="Snapshot"/>, the wake source) is read and written under <see cref="_gate"/>, never
/// across an await. What only the loop touches (the connection, backoff, outage and forwarding bookkeeping) needs
/// no lock: Npgsql raises <see cref="OnNotification"/> inside the loop's own awaits on that connection. Callers never
/// touch the connection; they change the subscriptions under the gate and wake the loop, which interrupts
/// <see cref="ListenerConnection.WaitAsync"/> (the one operation on the connection that a token may cut short).
/// </para>
/// <para>
/// The state changes in one place, <see cref="TransitionToLocked"/>, which checks <see cref="ListenerTransitions"/>,
/// logs and meters the change.
/// </para>
/// <para>
/// An outbox database (<see cref="IDatabaseStreamReader"/>) is served the same way, except that the connection LISTENs
/// only on the stream's wake-up channel and the rows reach clients from the stream's reader, never from a NOTIFY; the
/// listener tells the reader when this instance starts and stops forwarding. Its subscribers miss nothing across a
/// reconnect or a failover (the reader resumes from its stored cursor), so they get no resync for either.
/// </para>
/// </remarks>
public sealed partial class DatabaseListener : IAsyncDisposable
{
    private readonly DatabaseDefinition _database;
    private readonly ListenerOptions _options;
    private readonly IDatabaseSink _deliveries;
    private readonly IDatabaseStreamReader? _stream;
    private readonly IListenerLeadership _leadership;
    private readonly ListenerTracer _tracer;
    private readonly HubMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _connectionString;
    private readonly CancellationToken _stopping;
    private readonly DatabaseConnectionBudget _budget;

    // Taken from the budget when the loop starts and given back when it has ended: the listener's own connection
    // and, for an outbox database, its stream's pools, across every reconnect in between.
    private readonly int _connections;

    // Guarded by _gate.
    private readonly Lock _gate = new();
    private readonly ListenerSubscriptions _subscriptions = new();
    private readonly ListenSet _listenSet = new();
    private CancellationTokenSource _wake = new();
    private Task _loop = Task.CompletedTask;
    private ListenerState _state;
    private string? _lastError;
    private long _notificationsReceived;
    private DateTime? _lastNotificationAt;
    private long _reconnects;

    // Loop only (see the remarks): whether what the connection receives goes to clients (always without a backplane,
    // only while leading with one), and when the first notification that was not forwarded arrived.
    private bool _forwarding;
    private DateTime? _firstNotForwardedAt;

    // Loop only: when this instance last started forwarding and last ran its leadership heartbeat (a TimeProvider
    // timestamp); and, while another instance leads, the newest moment up to which that leader is known to have
    // delivered, where the resync of a takeover starts.
    private DateTime _forwardingSince;
    private DateTime _confirmedAt;
    private long _lastHeartbeat;
    private DateTime? _handoverSince;

    // Loop only: whether the current connection LISTENs on the stream's wake-up channel (outbox databases).
    private bool _wakeListened;

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
        _database = database;
        _options = options;
        _leadership = leadership;
        _tracer = tracer;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _stopping = stopping;
        _connectionString = ListenerConnection.BuildConnectionString(database.ConnectionString, options.SubscribeTimeout);
        // Opened here and disposed in DisposeAsync: the listener owns its database's sink.
        _deliveries = sink.Open(database.Name);
        _stream = streams?.Create(database, _deliveries);
        _budget = budget;
        _connections = 1 + (_stream?.Connections ?? 0);
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
        lock (_gate)
        {
            if (!EnsureRunningLocked())
            {
                throw new DatabaseConnectionsExhaustedException(_database.Name, _budget.Limit);
            }

            _subscriptions.Add(channels);
            if (!IsServingLocked(channels))
            {
                waiter = _subscriptions.Wait(channels);
                WakeLocked();
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
            lock (_gate)
            {
                _subscriptions.Forget(waiter);
            }

            Release(channels);
            throw;
        }
    }

    /// <summary>Takes back one subscription from each of <paramref name="channels"/>.</summary>
    public void Release(IReadOnlyCollection<string> channels)
    {
        lock (_gate)
        {
            if (_subscriptions.Remove(channels))
            {
                WakeLocked();
            }
        }
    }

    /// <summary>A point-in-time view for stats and health.</summary>
    public ListenerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ListenerSnapshot(
                _database.Name,
                _state,
                _listenSet.Active.Order(StringComparer.Ordinal).ToArray(),
                _subscriptions.Count,
                _notificationsReceived,
                _lastNotificationAt,
                _reconnects,
                _lastError,
                _deliveries.Pending);
        }
    }

    /// <summary>Waits for the loop to close the connection after the host started stopping, then drains the delivery sink.</summary>
    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_gate)
        {
            loop = _loop;
            WakeLocked();
        }

        ListenerLog.Stopping(_logger, _database.Name);
        await loop.ConfigureAwait(false);
        if (_stream is not null)
        {
            // Before the sink: the reader's last batch must still have somewhere to go.
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        ListenerLog.Stopped(_logger, _database.Name, _deliveries.Pending);
        await _deliveries.DisposeAsync().ConfigureAwait(false);
        _wake.Dispose();
    }

    /// <summary>Starts the loop unless it runs; false when it does not and the budget has no connections left for it.</summary>
    private bool EnsureRunningLocked()
    {
        // The loop runs exactly while the state is neither idle nor offline: it sets one of those as it ends.
        if (_state is not (ListenerState.Idle or ListenerState.Offline) || _stopping.IsCancellationRequested)
        {
            return true;
        }

        if (!_budget.TryTake(_database.Name, _connections))
        {
            return false;
        }

        TransitionToLocked(ListenerState.Connecting);
        _loop = Task.Run(RunAsync);
        return true;
    }

    /// <summary>The one place the state changes: checked, logged and metered.</summary>
    private void TransitionToLocked(ListenerState next)
    {
        var previous = _state;
        if (previous == next)
        {
            return;
        }

        if (!ListenerTransitions.IsAllowed(previous, next))
        {
            throw new InvalidOperationException($"Listener of database '{_database.Name}' cannot go from {previous} to {next}.");
        }

        _state = next;
        ListenerLog.StateChanged(_logger, _database.Name, previous, next);
        _metrics.ListenerStateChanged(_database.Name, ListenerStateNames.Of(previous), ListenerStateNames.Of(next));
    }

    private void WakeLocked()
    {
        if (!_wake.IsCancellationRequested)
        {
            _wake.Cancel();
        }
    }

    private CancellationToken TakeWakeTokenLocked()
    {
        if (_wake.IsCancellationRequested)
        {
            _wake.Dispose();
            _wake = new CancellationTokenSource();
        }

        return _wake.Token;
    }

    // A standby's subscribers are served by the leader, which LISTENs on every channel of the database.
    private bool IsServingLocked(IReadOnlyCollection<string> channels)
        => _state == ListenerState.Standby || (_state == ListenerState.Listening && _listenSet.Active.IsSupersetOf(channels));

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        // Runs inside Npgsql's read loop, within the loop's own await: hand the notification over, never block or do I/O here.
        if (_stream is not null)
        {
            if (_forwarding && e.Channel == _stream.WakeChannel)
            {
                _stream.Wake();
            }

            return;
        }

        var receivedAt = UtcNow();
        if (!_forwarding)
        {
            // Received before this instance led: the previous leader, if any, forwarded it.
            _firstNotForwardedAt ??= receivedAt;
            ListenerLog.NotForwarded(_logger, _database.Name, e.Channel);
            return;
        }

        lock (_gate)
        {
            _notificationsReceived++;
            _lastNotificationAt = receivedAt;
        }

        ListenerLog.NotificationReceived(_logger, _database.Name, e.Channel, e.Payload.Length, e.PID);
        _deliveries.Enqueue(new NotificationEnvelope(_database.Name, e.Channel, e.Payload, e.PID, receivedAt));
    }

    private void Resync(string reason, DateTime since, DateTime until)
    {
        // An outbox database lost nothing: its reader resumes from the stored cursor.
        if (_stream is null)
        {
            _deliveries.Enqueue(new ResyncEnvelope(_database.Name, reason, since, until));
        }
    }

    /// <summary>
    /// Up to when everything committed has been sent by this instance, as far as it can tell. Everything committed
    /// before the last heartbeat started had reached the connection by the time the heartbeat's answer did (PostgreSQL
    /// sends notifications ahead of it), so that is the mark when nothing waits to be sent; otherwise it is no later
    /// than the receive time of the last notification sent. A notification still unread in the socket was committed
    /// after the mark or is not yet counted as sent: either way it lies in a window that starts at the mark.
    /// </summary>
    private DateTime DeliveredUntil()
    {
        if (_deliveries.Pending == 0)
        {
            return _confirmedAt;
        }

        return _deliveries.LastSent is { } sent ? (sent < _confirmedAt ? sent : _confirmedAt) : _forwardingSince;
    }

    private DateTime UtcNow() => _time.GetUtcNow().UtcDateTime;
}
