using Hub.Server.Contracts;
using Hub.Server.Databases;

namespace Hub.Server.Listening;

/// <summary>LISTEN reconciliation and cluster leadership, run by the loop on its connection.</summary>
public sealed partial class DatabaseListener
{
    private async Task SyncChannelsAsync(ListenerConnection connection)
    {
        ListenChange change;
        lock (_gate)
        {
            // With a backplane the one listener serves subscribers of every instance, so it LISTENs on every allowed channel.
            change = _listenSet.Plan(_leadership.Clustered ? _database.Channels : _subscriptions.Channels);
        }

        if (_stream is not null)
        {
            // The app's channels are served by the stream's reader (the set still tracks them for subscribers and
            // stats); only the wake-up is LISTENed on.
            if (!_wakeListened)
            {
                await connection.ExecuteAsync("LISTEN " + PostgresNames.QuoteIdentifier(_stream.WakeChannel) + ";").ConfigureAwait(false);
                _wakeListened = true;
            }
        }
        else if (!change.IsEmpty)
        {
            await connection.ExecuteAsync(change.Sql()).ConfigureAwait(false);
        }

        IReadOnlySet<string> active;
        lock (_gate)
        {
            _listenSet.Applied(change);
            active = _listenSet.Active;
            _lastError = null;

            // LISTENing ahead of leading delivers nothing yet, so no subscriber may be told it is active.
            if (_forwarding)
            {
                TransitionToLocked(ListenerState.Listening);
                _subscriptions.Activate(active);
            }
        }

        if (!change.IsEmpty)
        {
            ListenerLog.ChannelsChanged(_logger, _database.Name, active);
        }
    }

    /// <summary>
    /// Decides whether this connection forwards. Without a backplane it always does. With one, a fresh connection
    /// LISTENs first and then tries to lead, so that on success nothing falls between the two; on failure it stops
    /// listening and releases its subscribers at once, since the leader already LISTENs on every channel. A standby
    /// then waits to lead and, once it does, sends resync for the handover.
    /// </summary>
    /// <returns>Whether this listener forwards from now on.</returns>
    private async Task<bool> LeadAsync(ListenerConnection connection)
    {
        if (!_leadership.Clustered)
        {
            await StartForwardingAsync(connection).ConfigureAwait(false);
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
            _firstNotForwardedAt = null;
            await SyncChannelsAsync(connection).ConfigureAwait(false);
            if (!await _leadership.TryLeadAsync(connection, _database.Name).ConfigureAwait(false))
            {
                await _leadership.StandByAsync(connection).ConfigureAwait(false);
                _wakeListened = false;
                lock (_gate)
                {
                    TransitionToLocked(ListenerState.Standby);
                    _listenSet.Clear();
                    _subscriptions.ActivateAll();
                }

                ListenerLog.Standby(_logger, _database.Name);
                return false;
            }

            // Whatever arrived between the LISTEN and the lock was dropped; a leader that had just left may not have
            // sent it, nor what it last had queued when this instance saw it lead (its connection and this standby's
            // may have dropped together).
            missedSince = Earliest(_firstNotForwardedAt, _handoverSince);
        }
        else
        {
            _handoverSince ??= UtcNow();
            // Not woken by subscription changes: a statement on the listener connection is never cancelled (see
            // ListenerConnection), and the wait is short enough for the loop to look again after it.
            var wait = await _leadership.WaitToLeadAsync(connection, _database.Name).ConfigureAwait(false);
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

        await StartForwardingAsync(connection).ConfigureAwait(false);
        await SyncChannelsAsync(connection).ConfigureAwait(false);
        ListenerLog.Leading(_logger, _database.Name, connection.ProcessId);
        if (missedSince is { } since)
        {
            var until = UtcNow();
            Resync(ResyncReasons.ListenerFailover, since, until);
            ListenerLog.TookOver(_logger, _database.Name, since, until);
        }

        return true;
    }

    /// <summary>
    /// From now on what the connection receives goes to clients; an outbox database's reader first loads where it
    /// starts, so that everything committed after this returns reaches subscribers.
    /// </summary>
    private async Task StartForwardingAsync(ListenerConnection connection)
    {
        _forwarding = true;
        _forwardingSince = UtcNow();
        _confirmedAt = _forwardingSince;
        _handoverSince = null;
        if (_leadership.Clustered)
        {
            await RenewLeaseAsync(connection).ConfigureAwait(false);
        }
        else
        {
            _deliveries.Lease.Grant();
        }

        if (_stream is not null)
        {
            await _stream.LeadAsync(_stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the leadership heartbeat, telling the other instances what has been sent, and renews the lease from its
    /// start. A lease that ran out first (the process stalled past it) means a standby may have taken over already:
    /// the leadership is given up as if the connection were lost.
    /// </summary>
    private async Task HeartbeatAsync(ListenerConnection connection)
    {
        if (!_deliveries.Lease.IsValid)
        {
            ListenerLog.LeaseExpired(_logger, _database.Name);
            throw new ListenerConnectionLostException("The leadership lease ran out before the heartbeat renewed it.");
        }

        await RenewLeaseAsync(connection).ConfigureAwait(false);
    }

    private async Task RenewLeaseAsync(ListenerConnection connection)
    {
        var startedAt = _time.GetTimestamp();
        var startedAtUtc = UtcNow();
        await _leadership.HeartbeatAsync(connection, DeliveredUntil()).ConfigureAwait(false);
        _lastHeartbeat = startedAt;
        _confirmedAt = startedAtUtc;
        _deliveries.Lease.Renew(startedAt, _leadership.LeaseDuration);
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b)
        => a is { } x && b is { } y ? (x < y ? x : y) : a ?? b;
}
