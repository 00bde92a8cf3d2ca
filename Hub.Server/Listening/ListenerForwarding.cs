using Hub.Server.Contracts;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.Server.Listening;

/// <summary>
/// Whether what one listener's connection receives goes to clients (always without a backplane, only while leading
/// with one), and the forwarding itself: the notifications into the database's sink, the lease and heartbeat of a
/// leader, and the resync windows of a reconnect or a takeover. Run by the listener's loop only.
/// </summary>
/// <remarks>
/// Its fields need no lock: besides the loop's own code, only <see cref="OnNotification"/> reads them, and Npgsql
/// raises it inside the loop's awaits on its connection.
/// </remarks>
internal sealed class ListenerForwarding(
    string database,
    ListenerOptions options,
    IListenerLeadership leadership,
    IDatabaseSink deliveries,
    IDatabaseStreamReader? stream,
    ListenerStatus status,
    ListenReconciler reconciler,
    ILogger logger,
    TimeProvider time,
    CancellationToken stopping)
{
    // When the first notification that was not forwarded arrived.
    private DateTime? _firstNotForwardedAt;

    // When this instance last started forwarding and last ran its leadership heartbeat (a TimeProvider timestamp);
    // and, while another instance leads, the newest moment up to which that leader is known to have delivered, where
    // the resync of a takeover starts.
    private DateTime _forwardingSince;
    private DateTime _confirmedAt;
    private long _lastHeartbeat;
    private DateTime? _handoverSince;

    /// <summary>Whether what the connection receives goes to clients now.</summary>
    public bool IsForwarding { get; private set; }

    /// <summary>Whether this instance leads a cluster, and so must prove it is alive however busy the connection is.</summary>
    public bool Heartbeats => IsForwarding && leadership.Clustered;

    /// <summary>How long until the next leadership heartbeat is due (zero or less: now).</summary>
    public TimeSpan UntilHeartbeat => leadership.HeartbeatInterval - time.GetElapsedTime(_lastHeartbeat);

    /// <summary>A new run of the loop: no takeover is pending from an earlier one.</summary>
    public void Restart() => _handoverSince = null;

    /// <summary>Npgsql's notification handler for the connection: hands the notification over, or counts it as not forwarded.</summary>
    public void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        // Runs inside Npgsql's read loop, within the loop's own await: hand the notification over, never block or do I/O here.
        if (stream is not null)
        {
            if (IsForwarding && e.Channel == stream.WakeChannel)
            {
                stream.Wake();
            }

            return;
        }

        var receivedAt = UtcNow();
        if (!IsForwarding)
        {
            // Received before this instance led: the previous leader, if any, forwarded it.
            _firstNotForwardedAt ??= receivedAt;
            ListenerLog.NotForwarded(logger, database, e.Channel);
            return;
        }

        status.CountNotification(receivedAt);
        ListenerLog.NotificationReceived(logger, database, e.Channel, e.Payload.Length, e.PID);
        deliveries.Enqueue(new NotificationEnvelope(database, e.Channel, e.Payload, e.PID, receivedAt));
    }

    /// <summary>Tells the database's subscribers that they may have missed what was committed between the two times.</summary>
    public void Resync(string reason, DateTime since, DateTime until)
    {
        // An outbox database lost nothing: its reader resumes from the stored cursor.
        if (stream is null)
        {
            deliveries.Enqueue(new ResyncEnvelope(database, reason, since, until));
        }
    }

    /// <summary>
    /// Decides whether this connection forwards. Without a backplane it always does. With one, a fresh connection
    /// LISTENs first and then tries to lead, so that on success nothing falls between the two; on failure it stops
    /// listening and releases its subscribers at once, since the leader already LISTENs on every channel. A standby
    /// then waits to lead and, once it does, sends resync for the handover.
    /// </summary>
    /// <returns>Whether this listener forwards from now on.</returns>
    public async Task<bool> LeadAsync(ListenerConnection connection)
    {
        if (!leadership.Clustered)
        {
            await StartAsync(connection).ConfigureAwait(false);
            return true;
        }

        bool standby;
        lock (status.Gate)
        {
            standby = status.StateLocked == ListenerState.Standby;
        }

        DateTime? missedSince;
        if (!standby)
        {
            _firstNotForwardedAt = null;
            await reconciler.SyncAsync(connection, IsForwarding).ConfigureAwait(false);
            if (!await leadership.TryLeadAsync(connection, database).ConfigureAwait(false))
            {
                await leadership.StandByAsync(connection).ConfigureAwait(false);
                reconciler.Unlistened();
                lock (status.Gate)
                {
                    status.TransitionToLocked(ListenerState.Standby);
                    status.ListenSet.Clear();
                    status.Subscriptions.ActivateAll();
                }

                ListenerLog.Standby(logger, database);
                return false;
            }

            // Whatever arrived between the LISTEN and the lock was dropped; a leader that had just left may not have
            // sent it, nor what it last had queued when this instance saw it lead (its connection and this standby's
            // may have dropped together, or this instance had no subscribers then and did not stand by).
            missedSince = Earliest(Earliest(_firstNotForwardedAt, _handoverSince), leadership.RecentlyDelivered(database));
        }
        else
        {
            _handoverSince ??= UtcNow();
            // Not woken by subscription changes: a statement on the listener connection is never cancelled (see
            // ListenerConnection), and the wait is short enough for the loop to look again after it.
            var wait = await leadership.WaitToLeadAsync(connection, database).ConfigureAwait(false);
            if (wait.LeaderDelivered is { } delivered)
            {
                _handoverSince = delivered;
            }

            if (!wait.Leads)
            {
                return false;
            }

            missedSince = _handoverSince;
        }

        await StartAsync(connection).ConfigureAwait(false);
        await reconciler.SyncAsync(connection, IsForwarding).ConfigureAwait(false);
        ListenerLog.Leading(logger, database, connection.ProcessId);
        if (missedSince is { } since)
        {
            var until = UtcNow();
            Resync(ResyncReasons.ListenerFailover, since, until);
            ListenerLog.TookOver(logger, database, since, until);
        }

        return true;
    }

    /// <summary>
    /// Runs the leadership heartbeat, telling the other instances what has been sent, and renews the lease from its
    /// start. A lease that ran out first (the process stalled past it) means a standby may have taken over already:
    /// the leadership is given up as if the connection were lost.
    /// </summary>
    public async Task HeartbeatAsync(ListenerConnection connection)
    {
        if (!deliveries.Lease.IsValid)
        {
            ListenerLog.LeaseExpired(logger, database);
            throw new ListenerConnectionLostException("The leadership lease ran out before the heartbeat renewed it.");
        }

        await RenewLeaseAsync(connection).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends this instance's forwarding after its connection was lost and returns where the resync for the outage
    /// starts. With a backplane the leadership went with the connection, so the queue stops sending (another instance
    /// may lead before this one is back) and what it drops is covered from what was last sent; without one the queue
    /// goes on sending and the outage starts when the connection was last known alive.
    /// </summary>
    public async Task<DateTime> StopAfterLossAsync(DateTime lastAlive)
    {
        if (!leadership.Clustered)
        {
            return lastAlive;
        }

        var delivered = DeliveredUntil();
        deliveries.Lease.Revoke();
        try
        {
            // Everything queued is dropped now, so none of it can go out once this instance leads again.
            await deliveries.SentAsync().WaitAsync(options.KeepAliveTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A send stuck on the backplane: the rest is dropped when the queue gets to it, lease or not renewed.
        }

        return delivered < lastAlive ? delivered : lastAlive;
    }

    /// <summary>What the connection receives no longer goes to clients (connection lost, loop ended).</summary>
    public void StandDown()
    {
        IsForwarding = false;
        stream?.StandDown();
    }

    /// <summary>The loop ends: a leader hands over, and the next leader covers what this one has not sent, from what it last reported.</summary>
    public void HandOver()
    {
        if (IsForwarding && leadership.Clustered)
        {
            deliveries.Lease.Revoke();
        }

        StandDown();
    }

    /// <summary>
    /// From now on what the connection receives goes to clients; an outbox database's reader first loads where it
    /// starts, so that everything committed after this returns reaches subscribers.
    /// </summary>
    private async Task StartAsync(ListenerConnection connection)
    {
        IsForwarding = true;
        _forwardingSince = UtcNow();
        _confirmedAt = _forwardingSince;
        _handoverSince = null;
        if (leadership.Clustered)
        {
            await RenewLeaseAsync(connection).ConfigureAwait(false);
        }
        else
        {
            deliveries.Lease.Grant();
        }

        if (stream is not null)
        {
            await stream.LeadAsync(stopping).ConfigureAwait(false);
        }
    }

    private async Task RenewLeaseAsync(ListenerConnection connection)
    {
        var startedAt = time.GetTimestamp();
        var startedAtUtc = UtcNow();
        await leadership.HeartbeatAsync(connection, DeliveredUntil()).ConfigureAwait(false);
        _lastHeartbeat = startedAt;
        _confirmedAt = startedAtUtc;
        deliveries.Lease.Renew(startedAt, leadership.LeaseDuration);
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
        if (deliveries.Pending == 0)
        {
            return _confirmedAt;
        }

        return deliveries.LastSent is { } sent ? (sent < _confirmedAt ? sent : _confirmedAt) : _forwardingSince;
    }

    private DateTime UtcNow() => time.GetUtcNow().UtcDateTime;

    private static DateTime? Earliest(DateTime? a, DateTime? b)
        => a is { } x && b is { } y ? (x < y ? x : y) : a ?? b;
}
