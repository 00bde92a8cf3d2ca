using System.Text;
using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Scaling;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.Server.Listening;

/// <summary>
/// The one LISTEN connection of one database, shared by all its subscribers.
/// </summary>
/// <remarks>
/// A single loop owns the connection: it opens it, brings its LISTEN set in line with the channels that
/// have subscribers, waits for notifications, probes the connection when it is quiet, reconnects with
/// backoff when it is lost, and closes it once the last subscriber has been gone for the grace period.
/// Callers never touch the connection; they change the wanted channels under a lock and wake the loop,
/// which interrupts <see cref="ListenerConnection.WaitAsync(TimeSpan, CancellationToken)"/> (cancelling a wait
/// leaves an Npgsql connection usable). With a backplane, the loop also takes or waits for the database's
/// advisory lock, so that one instance in the cluster forwards (<see cref="Scaling.ListenerLeadership"/>).
/// </remarks>
public sealed class DatabaseListener : IAsyncDisposable
{
    private readonly DatabaseDefinition _database;
    private readonly ListenerOptions _options;
    private readonly DatabaseOutbox _deliveries;

    // The durable stream of an outbox database: the listener then LISTENs only on its wake-up channel and tells it
    // when this instance leads; rows reach clients from the stream's reader, never from a NOTIFY. Null otherwise.
    private readonly IDatabaseStreamReader? _stream;
    private readonly ListenerLeadership _leadership;
    private readonly ListenerTracer _tracer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _connectionString;
    private readonly string _applicationName;
    private readonly CancellationToken _stopping;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _wanted = new(StringComparer.Ordinal);
    private readonly List<ActivationWaiter> _waiters = [];
    private HashSet<string> _listening = new HashSet<string>(StringComparer.Ordinal);
    private bool _wakeListened;
    private CancellationTokenSource _wake = new();
    private Task _loop = Task.CompletedTask;
    private bool _running;
    private ListenerState _state;
    private string? _lastError;
    private long _notificationsReceived;
    private long _lastNotificationTicks;
    private long _reconnects;

    // Whether what the connection receives goes to clients: always without a backplane, only while holding the
    // database's lock with one. Read in Npgsql's callback, so volatile rather than under the gate.
    private volatile bool _forwarding;
    private long _firstNotForwardedTicks;

    /// <summary>Creates the listener of <paramref name="database"/>; it connects on its first subscriber.</summary>
    public DatabaseListener(
        DatabaseDefinition database,
        ListenerOptions options,
        DatabaseOutbox deliveries,
        IDatabaseStreamReader? stream,
        ListenerLeadership leadership,
        ListenerTracer tracer,
        ILogger logger,
        TimeProvider time,
        CancellationToken stopping)
    {
        _database = database;
        _options = options;
        _deliveries = deliveries;
        _stream = stream;
        _leadership = leadership;
        _tracer = tracer;
        _logger = logger;
        _time = time;
        _stopping = stopping;
        _connectionString = ListenerConnection.BuildConnectionString(database.ConnectionString, options.SubscribeTimeout);
        _applicationName = new NpgsqlConnectionStringBuilder(_connectionString).ApplicationName ?? ListenerConnection.DefaultApplicationName;
    }

    /// <summary>The database this listener serves.</summary>
    public DatabaseDefinition Database => _database;

    /// <summary>
    /// Adds one subscription to each of <paramref name="channels"/> and waits until the connection
    /// LISTENs on all of them, so that every NOTIFY committed after this returns is delivered.
    /// On failure or cancellation the subscriptions are taken back.
    /// </summary>
    /// <exception cref="TimeoutException">The connection or its LISTEN was not ready within <paramref name="timeout"/>.</exception>
    public async Task AcquireAsync(IReadOnlyCollection<string> channels, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ActivationWaiter? waiter = null;
        lock (_gate)
        {
            foreach (var channel in channels)
            {
                _wanted[channel] = _wanted.GetValueOrDefault(channel) + 1;
            }

            if (!IsServingLocked(channels))
            {
                waiter = new ActivationWaiter(channels);
                _waiters.Add(waiter);
                WakeLocked();
            }

            EnsureRunningLocked();
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
                _waiters.Remove(waiter);
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
            var changed = false;
            foreach (var channel in channels)
            {
                if (!_wanted.TryGetValue(channel, out var count))
                {
                    continue;
                }

                if (count <= 1)
                {
                    _wanted.Remove(channel);
                    changed = true;
                }
                else
                {
                    _wanted[channel] = count - 1;
                }
            }

            if (changed)
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
            var lastTicks = Interlocked.Read(ref _lastNotificationTicks);
            return new ListenerSnapshot(
                _database.Name,
                _state,
                _listening.Order(StringComparer.Ordinal).ToArray(),
                _wanted.Values.Sum(),
                Interlocked.Read(ref _notificationsReceived),
                lastTicks == 0 ? null : new DateTime(lastTicks, DateTimeKind.Utc),
                Interlocked.Read(ref _reconnects),
                _lastError,
                _deliveries.Pending);
        }
    }

    /// <summary>Waits for the loop to close the connection after the host started stopping, then drains the outbox.</summary>
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
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        ListenerLog.Stopped(_logger, _database.Name, _deliveries.Pending);
        await _deliveries.DisposeAsync().ConfigureAwait(false);
        _wake.Dispose();
    }

    private void EnsureRunningLocked()
    {
        if (_running || _stopping.IsCancellationRequested)
        {
            return;
        }

        _running = true;
        _state = ListenerState.Connecting;
        _loop = Task.Run(RunAsync);
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

    private async Task RunAsync()
    {
        var backoff = new ReconnectBackoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay);
        ListenerConnection? connection = null;
        DateTime? outageSince = null;
        DateTime lastAlive = UtcNow();
        long? idleSince = null;

        try
        {
            while (true)
            {
                CancellationToken wake;
                lock (_gate)
                {
                    var idle = _wanted.Count == 0;
                    idleSince = idle ? idleSince ?? _time.GetTimestamp() : null;
                    var graceOver = idleSince is { } since && _time.GetElapsedTime(since) >= _options.IdleGracePeriod;
                    // A standby keeps nothing warm worth a grace period: the lock holder does the listening.
                    if (_stopping.IsCancellationRequested || (idle && (connection is null || graceOver || _state == ListenerState.Standby)))
                    {
                        _running = false;
                        _state = connection is null && _lastError is not null ? ListenerState.Offline : ListenerState.Idle;
                        _listening = new HashSet<string>(StringComparer.Ordinal);
                        FailWaitersLocked(new OperationCanceledException("The listener stopped."));
                        break;
                    }

                    wake = TakeWakeTokenLocked();
                }

                try
                {
                    if (connection is null)
                    {
                        connection = await OpenAsync(outageSince is not null || backoff.Failures > 0).ConfigureAwait(false);
                        backoff.Reset();
                        lastAlive = UtcNow();
                    }

                    if (!_forwarding && !await LeadAsync(connection).ConfigureAwait(false))
                    {
                        if (outageSince is not null)
                        {
                            // Another instance took over while this one was away: the resync for the gap is its to send.
                            Interlocked.Increment(ref _reconnects);
                            outageSince = null;
                        }

                        lastAlive = UtcNow();
                        continue;
                    }

                    await SyncChannelsAsync(connection).ConfigureAwait(false);
                    if (outageSince is { } since)
                    {
                        // Only now that the channels are LISTENed on again: a client that reloads on the resync
                        // must not miss a notification committed after it reloaded.
                        lastAlive = UtcNow();
                        Interlocked.Increment(ref _reconnects);
                        // An outbox database lost nothing: its reader resumes from the stored cursor.
                        if (_stream is null)
                        {
                            _deliveries.Enqueue(new ResyncEnvelope(_database.Name, ResyncReasons.ListenerReconnected, since, lastAlive));
                        }

                        ListenerLog.Reconnected(_logger, _database.Name, since, lastAlive);
                        _tracer.Reconnected(since, lastAlive);
                        outageSince = null;
                    }

                    var waitFor = idleSince is { } idleStart
                        ? Min(_options.KeepAliveInterval, _options.IdleGracePeriod - _time.GetElapsedTime(idleStart))
                        : _options.KeepAliveInterval;
                    var notified = await connection.WaitAsync(Max(waitFor, TimeSpan.FromMilliseconds(1)), wake).ConfigureAwait(false);
                    if (!notified && idleSince is null)
                    {
                        await connection.ProbeAsync().ConfigureAwait(false);
                    }

                    lastAlive = UtcNow();
                }
                catch (OperationCanceledException) when (wake.IsCancellationRequested && connection is { IsOpen: true })
                {
                    // Woken to change the LISTEN set or to stop: the connection is still good.
                    lastAlive = UtcNow();
                }
                catch (Exception ex) when (IsConnectionFailure(ex))
                {
                    if (connection is not null)
                    {
                        // A standby forwarded nothing, so its clients missed nothing: the holder covers them.
                        if (_forwarding)
                        {
                            outageSince ??= lastAlive;
                        }

                        // Reset here, not when the connection is disposed: a stuck one is closed later, in the background.
                        _forwarding = false;
                        _stream?.StandDown();

                        ListenerLog.ConnectionLost(_logger, _database.Name, lastAlive, ex);
                        _tracer.ConnectionLost(ex);
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }

                    var delay = backoff.NextDelay();
                    lock (_gate)
                    {
                        _state = ListenerState.Reconnecting;
                        _lastError = ex.Message;
                        _listening = new HashSet<string>(StringComparer.Ordinal);
                        wake = TakeWakeTokenLocked();
                    }

                    ListenerLog.ConnectFailed(_logger, _database.Name, backoff.Failures, delay, ex.Message);
                    await DelayAsync(delay, wake).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            lock (_gate)
            {
                _running = false;
                _state = ListenerState.Idle;
                FailWaitersLocked(new OperationCanceledException("The hub is stopping."));
            }
        }
        catch (Exception ex)
        {
            ListenerLog.Failed(_logger, _database.Name, ex);
            lock (_gate)
            {
                _running = false;
                _state = ListenerState.Idle;
                _lastError = ex.Message;
                FailWaitersLocked(ex);
            }
        }
        finally
        {
            _forwarding = false;
            _stream?.StandDown();
            _tracer.Stopped();
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (!_stopping.IsCancellationRequested)
                {
                    ListenerLog.ClosedIdle(_logger, _database.Name, _options.IdleGracePeriod);
                }
            }
        }
    }

    private async Task<ListenerConnection> OpenAsync(bool reconnecting)
    {
        lock (_gate)
        {
            _state = reconnecting ? ListenerState.Reconnecting : ListenerState.Connecting;
        }

        _wakeListened = false;
        ListenerLog.Connecting(_logger, _database.Name);
        using var activity = _tracer.StartConnect();
        ListenerConnection connection;
        try
        {
            connection = await ListenerConnection.OpenAsync(_connectionString, OnNotification, _options.KeepAliveTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ListenerTracer.Failed(activity, ex);
            throw;
        }

        ListenerLog.Connected(_logger, _database.Name, connection.ProcessId);
        _tracer.Connected(activity, connection.ProcessId);
        return connection;
    }

    private async Task SyncChannelsAsync(ListenerConnection connection)
    {
        string[] toListen;
        string[] toUnlisten;
        lock (_gate)
        {
            // With a backplane the one listener serves subscribers of every instance, so it LISTENs on every allowed channel.
            var wanted = _leadership.Enabled ? new HashSet<string>(_database.Channels, StringComparer.Ordinal) : [.. _wanted.Keys];
            toListen = wanted.Where(channel => !_listening.Contains(channel)).ToArray();
            toUnlisten = _listening.Where(channel => !wanted.Contains(channel)).ToArray();
            if (toUnlisten.Length > 0)
            {
                // Stop counting these as active before the UNLISTEN runs: a subscriber arriving meanwhile
                // must wait for the next LISTEN rather than be told a channel on its way out is live.
                _listening = new HashSet<string>(_listening.Except(toUnlisten), StringComparer.Ordinal);
            }
        }

        if (_stream is not null)
        {
            // The app's channels are served by the stream's reader; only the wake-up is LISTENed on.
            if (!_wakeListened)
            {
                await connection.ExecuteAsync("LISTEN " + PostgresNames.QuoteIdentifier(_stream.WakeChannel) + ";").ConfigureAwait(false);
                _wakeListened = true;
            }
        }
        else if (toListen.Length > 0 || toUnlisten.Length > 0)
        {
            var sql = new StringBuilder();
            foreach (var channel in toListen)
            {
                sql.Append("LISTEN ").Append(PostgresNames.QuoteIdentifier(channel)).Append(';');
            }

            foreach (var channel in toUnlisten)
            {
                sql.Append("UNLISTEN ").Append(PostgresNames.QuoteIdentifier(channel)).Append(';');
            }

            await connection.ExecuteAsync(sql.ToString()).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (toListen.Length > 0)
            {
                _listening = new HashSet<string>(_listening.Concat(toListen), StringComparer.Ordinal);
            }

            _lastError = null;

            // LISTENing ahead of taking the lock delivers nothing yet, so no subscriber may be told it is active.
            if (_forwarding)
            {
                _state = ListenerState.Listening;
                ActivateWaitersLocked(_listening.IsSupersetOf);
            }
        }

        if (toListen.Length > 0 || toUnlisten.Length > 0)
        {
            ListenerLog.ChannelsChanged(_logger, _database.Name, _listening);
        }
    }

    /// <summary>
    /// With a backplane, decides whether this connection becomes the database's listener for the cluster. A fresh
    /// connection LISTENs first and then tries the lock, so that on success nothing falls between the two; on
    /// failure it stops listening and releases its subscribers at once, since the holder already LISTENs on every
    /// channel. A standby then waits on the lock and, once granted, sends resync for the handover.
    /// </summary>
    /// <returns>Whether this listener forwards from now on.</returns>
    private async Task<bool> LeadAsync(ListenerConnection connection)
    {
        if (!_leadership.Enabled)
        {
            _forwarding = true;
            if (_stream is not null)
            {
                await _stream.LeadAsync(_stopping).ConfigureAwait(false);
            }

            return true;
        }

        bool standby;
        lock (_gate)
        {
            standby = _state == ListenerState.Standby;
        }

        DateTime? missedSince;
        if (!standby)
        {
            Interlocked.Exchange(ref _firstNotForwardedTicks, 0);
            await SyncChannelsAsync(connection).ConfigureAwait(false);
            if (!await _leadership.TryAcquireAsync(connection.Npgsql, _database.Name, _options.KeepAliveTimeout, _stopping).ConfigureAwait(false))
            {
                await _leadership.StandByAsync(connection.Npgsql, _applicationName, _options.KeepAliveTimeout, _stopping).ConfigureAwait(false);
                _wakeListened = false;
                lock (_gate)
                {
                    _state = ListenerState.Standby;
                    _listening = new HashSet<string>(StringComparer.Ordinal);
                    ActivateWaitersLocked(static _ => true);
                }

                ScaleOutLog.Standby(_logger, _database.Name);
                return false;
            }

            // Whatever arrived between the LISTEN and the lock was dropped; a holder that had just left may not have sent it.
            var first = Interlocked.Read(ref _firstNotForwardedTicks);
            missedSince = first == 0 ? null : new DateTime(first, DateTimeKind.Utc);
        }
        else
        {
            missedSince = UtcNow();
            // Not woken by subscription changes: cancelling a statement breaks a listener connection (it is built
            // to give up on a stuck one at once), and the wait is short enough for the loop to look again after it.
            if (!await _leadership.WaitAsync(connection.Npgsql, _database.Name, _options.KeepAliveTimeout, _stopping).ConfigureAwait(false))
            {
                return false;
            }

            await ListenerLeadership.LeadAsync(connection.Npgsql, _applicationName, _options.KeepAliveTimeout, _stopping).ConfigureAwait(false);
        }

        _forwarding = true;
        if (_stream is not null)
        {
            await _stream.LeadAsync(_stopping).ConfigureAwait(false);
        }

        await SyncChannelsAsync(connection).ConfigureAwait(false);
        ScaleOutLog.Leading(_logger, _database.Name, connection.ProcessId);
        // A new leader of an outbox database resumes from the stored cursor: the handover loses nothing.
        if (missedSince is { } since && _stream is null)
        {
            var until = UtcNow();
            _deliveries.Enqueue(new ResyncEnvelope(_database.Name, ResyncReasons.ListenerFailover, since, until));
            ScaleOutLog.TookOver(_logger, _database.Name, since, until);
        }

        return true;
    }

    // A standby's subscribers are served by the lock holder, which LISTENs on every channel of the database.
    private bool IsServingLocked(IReadOnlyCollection<string> channels)
        => _state == ListenerState.Standby || (_state == ListenerState.Listening && _listening.IsSupersetOf(channels));

    private void ActivateWaitersLocked(Func<IReadOnlyCollection<string>, bool> active)
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (active(_waiters[i].Channels))
            {
                _waiters[i].Activated();
                _waiters.RemoveAt(i);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        // Runs inside Npgsql's read loop: hand the notification over, never block or do I/O here.
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
            // Received before this instance took the lock: the previous holder, if any, forwarded it.
            Interlocked.CompareExchange(ref _firstNotForwardedTicks, receivedAt.Ticks, 0);
            ScaleOutLog.NotForwarded(_logger, _database.Name, e.Channel);
            return;
        }

        Interlocked.Increment(ref _notificationsReceived);
        Interlocked.Exchange(ref _lastNotificationTicks, receivedAt.Ticks);
        ListenerLog.NotificationReceived(_logger, _database.Name, e.Channel, e.Payload.Length, e.PID);
        _deliveries.Enqueue(new NotificationEnvelope(_database.Name, e.Channel, e.Payload, e.PID, receivedAt));
    }

    private void FailWaitersLocked(Exception exception)
    {
        foreach (var waiter in _waiters)
        {
            waiter.Failed(exception);
        }

        _waiters.Clear();
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken wake)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wake, _stopping);
        try
        {
            await Task.Delay(delay, _time, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A new subscriber or a stop cuts the backoff short; the loop decides what comes next.
        }
    }

    private bool IsConnectionFailure(Exception ex)
        => ListenerConnection.IsFailure(ex) || (ex is OperationCanceledException && !_stopping.IsCancellationRequested);

    private DateTime UtcNow() => _time.GetUtcNow().UtcDateTime;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
