using Hub.Server.Contracts;
using Hub.Server.Telemetry;

namespace Hub.Server.Listening;

/// <summary>The connection loop: connect, keep alive, reconnect with backoff, close when idle.</summary>
public sealed partial class DatabaseListener
{
    private async Task RunAsync()
    {
        var backoff = new ReconnectBackoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay);
        ListenerConnection? connection = null;
        DateTime? outageSince = null;
        var lastAlive = UtcNow();
        long? idleSince = null;
        _handoverSince = null;

        try
        {
            while (true)
            {
                CancellationToken wake;
                lock (_gate)
                {
                    var idle = _subscriptions.IsEmpty;
                    idleSince = idle ? idleSince ?? _time.GetTimestamp() : null;
                    var graceOver = idleSince is { } since && _time.GetElapsedTime(since) >= _options.IdleGracePeriod;
                    // A standby keeps nothing warm worth a grace period: the leader does the listening.
                    if (_stopping.IsCancellationRequested || (idle && (connection is null || graceOver || _state == ListenerState.Standby)))
                    {
                        TransitionToLocked(connection is null && _lastError is not null ? ListenerState.Offline : ListenerState.Idle);
                        _listenSet.Clear();
                        _subscriptions.FailAll(new OperationCanceledException("The listener stopped."));
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
                            CountReconnect();
                            outageSince = null;
                        }

                        lastAlive = UtcNow();
                        continue;
                    }

                    await SyncChannelsAsync(connection).ConfigureAwait(false);
                    lock (_gate)
                    {
                        // A subscriber that came after the top of this pass was LISTENed for just now: the idle time
                        // (and with it the grace period) starts again when it leaves, not when the listener last idled.
                        idleSince = _subscriptions.IsEmpty ? idleSince : null;
                    }

                    if (outageSince is { } since)
                    {
                        // Only now that the channels are LISTENed on again: a client that reloads on the resync
                        // must not miss a notification committed after it reloaded.
                        lastAlive = UtcNow();
                        CountReconnect();
                        Resync(ResyncReasons.ListenerReconnected, since, lastAlive);
                        ListenerLog.Reconnected(_logger, _database.Name, since, lastAlive);
                        _tracer.Reconnected(since, lastAlive);
                        outageSince = null;
                    }

                    var waitFor = idleSince is { } idleStart
                        ? Min(_options.KeepAliveInterval, _options.IdleGracePeriod - _time.GetElapsedTime(idleStart))
                        : _options.KeepAliveInterval;
                    var heartbeats = _forwarding && _leadership.Clustered;
                    if (heartbeats)
                    {
                        // However busy the connection is with notifications, the other instances must see the leader alive.
                        waitFor = Min(waitFor, _leadership.HeartbeatInterval - _time.GetElapsedTime(_lastHeartbeat));
                    }

                    var notified = await connection.WaitAsync(Max(waitFor, TimeSpan.FromMilliseconds(1)), wake).ConfigureAwait(false);
                    if (heartbeats && _time.GetElapsedTime(_lastHeartbeat) >= _leadership.HeartbeatInterval)
                    {
                        await HeartbeatAsync(connection).ConfigureAwait(false);
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
                        if (_forwarding)
                        {
                            outageSince ??= await StopForwardingAsync(lastAlive).ConfigureAwait(false);
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
                        TransitionToLocked(ListenerState.Reconnecting);
                        _lastError = ex.Message;
                        _listenSet.Clear();
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
                TransitionToLocked(ListenerState.Idle);
                _subscriptions.FailAll(new OperationCanceledException("The hub is stopping."));
            }
        }
        catch (Exception ex)
        {
            ListenerLog.Failed(_logger, _database.Name, ex);
            lock (_gate)
            {
                TransitionToLocked(ListenerState.Idle);
                _lastError = ex.Message;
                _subscriptions.FailAll(ex);
            }
        }
        finally
        {
            if (_forwarding && _leadership.Clustered)
            {
                // Handing over: the next leader covers what this one has not sent, from what it last reported.
                _deliveries.Lease.Revoke();
            }

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

            // The stream's pools count with the listener: closed now, so that their connections can go back too.
            _stream?.CloseIdleConnections();
            _budget.Give(_connections);
        }
    }

    private async Task<ListenerConnection> OpenAsync(bool reconnecting)
    {
        lock (_gate)
        {
            TransitionToLocked(reconnecting ? ListenerState.Reconnecting : ListenerState.Connecting);
        }

        _wakeListened = false;
        ListenerLog.Connecting(_logger, _database.Name);
        using var activity = _tracer.StartConnect();
        ListenerConnection connection;
        try
        {
            connection = await ListenerConnection.OpenAsync(_connectionString, OnNotification, _options.KeepAliveTimeout, _time, _stopping).ConfigureAwait(false);
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

    /// <summary>
    /// Ends this instance's forwarding after its connection was lost and returns where the resync for the outage
    /// starts. With a backplane the leadership went with the connection, so the queue stops sending (another instance
    /// may lead before this one is back) and what it drops is covered from what was last sent; without one the queue
    /// goes on sending and the outage starts when the connection was last known alive.
    /// </summary>
    private async Task<DateTime> StopForwardingAsync(DateTime lastAlive)
    {
        if (!_leadership.Clustered)
        {
            return lastAlive;
        }

        var delivered = DeliveredUntil();
        _deliveries.Lease.Revoke();
        try
        {
            // Everything queued is dropped now, so none of it can go out once this instance leads again.
            await _deliveries.SentAsync().WaitAsync(_options.KeepAliveTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A send stuck on the backplane: the rest is dropped when the queue gets to it, lease or not renewed.
        }

        return delivered < lastAlive ? delivered : lastAlive;
    }

    private void CountReconnect()
    {
        lock (_gate)
        {
            _reconnects++;
        }
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

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
