using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Listening;

/// <summary>
/// The one loop that owns a listener's connection: it opens it, has its LISTEN set reconciled and, with a backplane,
/// its leadership decided, waits for notifications, probes the connection when it is quiet, reconnects with backoff
/// when it is lost, and closes it once the last subscriber has been gone for the grace period.
/// </summary>
/// <remarks>
/// The loop runs exactly while the listener's state is neither idle nor offline: it is started in
/// <see cref="TryStartLocked"/> and sets one of those as it ends. It takes its PostgreSQL connections from the budget
/// when it starts and gives them back when it has ended: the listener's own and, for an outbox database, its
/// stream's pools, across every reconnect in between.
/// </remarks>
internal sealed class ListenerLoop
{
    private readonly DatabaseDefinition _database;
    private readonly ListenerOptions _options;
    private readonly ListenerStatus _status;
    private readonly ListenerForwarding _forwarding;
    private readonly ListenReconciler _reconciler;
    private readonly IDatabaseStreamReader? _stream;
    private readonly ListenerTracer _tracer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DatabaseConnectionBudget _budget;
    private readonly CancellationToken _stopping;
    private readonly string _connectionString;
    private readonly int _connections;

    // Guarded by the status's gate.
    private Task _run = Task.CompletedTask;

    public ListenerLoop(
        DatabaseDefinition database,
        ListenerOptions options,
        ListenerStatus status,
        ListenerForwarding forwarding,
        ListenReconciler reconciler,
        IDatabaseStreamReader? stream,
        ListenerTracer tracer,
        ILogger logger,
        TimeProvider time,
        DatabaseConnectionBudget budget,
        CancellationToken stopping)
    {
        _database = database;
        _options = options;
        _status = status;
        _forwarding = forwarding;
        _reconciler = reconciler;
        _stream = stream;
        _tracer = tracer;
        _logger = logger;
        _time = time;
        _budget = budget;
        _stopping = stopping;
        _connectionString = ListenerConnection.BuildConnectionString(database.ConnectionString, options.SubscribeTimeout);
        _connections = 1 + (stream?.Connections ?? 0);
    }

    /// <summary>The current run of the loop; completed when it does not run.</summary>
    public Task RunningLocked => _run;

    /// <summary>Starts the loop unless it runs; false when it does not and the budget has no connections left for it.</summary>
    public bool TryStartLocked()
    {
        if (_status.StateLocked is not (ListenerState.Idle or ListenerState.Offline) || _stopping.IsCancellationRequested)
        {
            return true;
        }

        if (!_budget.TryTake(_database.Name, _connections))
        {
            return false;
        }

        _status.TransitionToLocked(ListenerState.Connecting);
        _run = Task.Run(RunAsync);
        return true;
    }

    private async Task RunAsync()
    {
        var backoff = new ReconnectBackoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay);
        ListenerConnection? connection = null;
        DateTime? outageSince = null;
        var lastAlive = UtcNow();
        long? idleSince = null;
        _forwarding.Restart();

        try
        {
            while (true)
            {
                CancellationToken wake;
                lock (_status.Gate)
                {
                    var idle = _status.Subscriptions.IsEmpty;
                    idleSince = idle ? idleSince ?? _time.GetTimestamp() : null;
                    var graceOver = idleSince is { } since && _time.GetElapsedTime(since) >= _options.IdleGracePeriod;
                    // A standby keeps nothing warm worth a grace period: the leader does the listening.
                    if (_stopping.IsCancellationRequested || (idle && (connection is null || graceOver || _status.StateLocked == ListenerState.Standby)))
                    {
                        _status.TransitionToLocked(connection is null && _status.LastErrorLocked is not null ? ListenerState.Offline : ListenerState.Idle);
                        _status.ListenSet.Clear();
                        _status.Subscriptions.FailAll(new OperationCanceledException("The listener stopped."));
                        break;
                    }

                    wake = _status.TakeWakeTokenLocked();
                }

                try
                {
                    if (connection is null)
                    {
                        connection = await OpenAsync(outageSince is not null || backoff.Failures > 0).ConfigureAwait(false);
                        backoff.Reset();
                        lastAlive = UtcNow();
                    }

                    if (!_forwarding.IsForwarding && !await _forwarding.LeadAsync(connection).ConfigureAwait(false))
                    {
                        if (outageSince is not null)
                        {
                            // Another instance took over while this one was away: the resync for the gap is its to send.
                            _status.CountReconnect();
                            outageSince = null;
                        }

                        lastAlive = UtcNow();
                        continue;
                    }

                    await _reconciler.SyncAsync(connection, _forwarding.IsForwarding).ConfigureAwait(false);
                    lock (_status.Gate)
                    {
                        // A subscriber that came after the top of this pass was LISTENed for just now: the idle time
                        // (and with it the grace period) starts again when it leaves, not when the listener last idled.
                        idleSince = _status.Subscriptions.IsEmpty ? idleSince : null;
                    }

                    if (outageSince is { } since)
                    {
                        // Only now that the channels are LISTENed on again: a client that reloads on the resync
                        // must not miss a notification committed after it reloaded.
                        lastAlive = UtcNow();
                        _status.CountReconnect();
                        _forwarding.Resync(ResyncReasons.ListenerReconnected, since, lastAlive);
                        ListenerLog.Reconnected(_logger, _database.Name, since, lastAlive);
                        _tracer.Reconnected(since, lastAlive);
                        outageSince = null;
                    }

                    var waitFor = idleSince is { } idleStart
                        ? Min(_options.KeepAliveInterval, _options.IdleGracePeriod - _time.GetElapsedTime(idleStart))
                        : _options.KeepAliveInterval;
                    var heartbeats = _forwarding.Heartbeats;
                    if (heartbeats)
                    {
                        // However busy the connection is with notifications, the other instances must see the leader alive.
                        waitFor = Min(waitFor, _forwarding.UntilHeartbeat);
                    }

                    var notified = await connection.WaitAsync(Max(waitFor, TimeSpan.FromMilliseconds(1)), wake).ConfigureAwait(false);
                    if (heartbeats && _forwarding.UntilHeartbeat <= TimeSpan.Zero)
                    {
                        await _forwarding.HeartbeatAsync(connection).ConfigureAwait(false);
                    }
                    else if (!notified && idleSince is null)
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
                        // A standby forwarded nothing, so its clients missed nothing: the leader covers them.
                        if (_forwarding.IsForwarding && outageSince is null)
                        {
                            outageSince = await _forwarding.StopAfterLossAsync(lastAlive).ConfigureAwait(false);
                        }

                        // Stood down here, not when the connection is disposed: a stuck one is closed later, in the background.
                        _forwarding.StandDown();

                        ListenerLog.ConnectionLost(_logger, _database.Name, lastAlive, ex);
                        _tracer.ConnectionLost(ex);
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }

                    var delay = backoff.NextDelay();
                    lock (_status.Gate)
                    {
                        _status.TransitionToLocked(ListenerState.Reconnecting);
                        _status.LastErrorLocked = ex.Message;
                        _status.ListenSet.Clear();
                        wake = _status.TakeWakeTokenLocked();
                    }

                    ListenerLog.ConnectFailed(_logger, _database.Name, backoff.Failures, delay, ex.Message);
                    await DelayAsync(delay, wake).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            lock (_status.Gate)
            {
                _status.TransitionToLocked(ListenerState.Idle);
                _status.Subscriptions.FailAll(new OperationCanceledException("The hub is stopping."));
            }
        }
        catch (Exception ex)
        {
            ListenerLog.Failed(_logger, _database.Name, ex);
            lock (_status.Gate)
            {
                _status.TransitionToLocked(ListenerState.Idle);
                _status.LastErrorLocked = ex.Message;
                _status.Subscriptions.FailAll(ex);
            }
        }
        finally
        {
            _forwarding.HandOver();
            _tracer.Stopped();
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (!_stopping.IsCancellationRequested)
                {
                    ListenerLog.ClosedIdle(_logger, _database.Name, _options.IdleGracePeriod);
                }
            }

            // The stream's pools count with the listener: closed now, so that their connections can go back too.
            _stream?.CloseIdleConnections();
            _budget.Give(_connections);
        }
    }

    private async Task<ListenerConnection> OpenAsync(bool reconnecting)
    {
        lock (_status.Gate)
        {
            _status.TransitionToLocked(reconnecting ? ListenerState.Reconnecting : ListenerState.Connecting);
        }

        _reconciler.Unlistened();
        ListenerLog.Connecting(_logger, _database.Name);
        using var activity = _tracer.StartConnect();
        ListenerConnection connection;
        try
        {
            connection = await ListenerConnection.OpenAsync(_connectionString, _forwarding.OnNotification, _options.KeepAliveTimeout, _time, _stopping).ConfigureAwait(false);
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
