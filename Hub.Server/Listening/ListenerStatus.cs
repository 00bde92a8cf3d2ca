using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Listening;

/// <summary>
/// What other threads see of one database's listener, all under one lock (<see cref="Gate"/>): its state, the
/// subscriptions and their waiters, the LISTEN set, the figures of <see cref="Snapshot"/> and the wake-up of its loop.
/// </summary>
/// <remarks>
/// Members whose name ends in <c>Locked</c>, and the <see cref="Subscriptions"/> and <see cref="ListenSet"/> it
/// holds, are used only with <see cref="Gate"/> held, and never across an await. The state changes in one place,
/// <see cref="TransitionToLocked"/>, which checks <see cref="ListenerTransitions"/>, logs and meters the change.
/// </remarks>
internal sealed class ListenerStatus(string database, HubMetrics metrics, ILogger logger) : IDisposable
{
    private CancellationTokenSource _wake = new();
    private long _notificationsReceived;
    private DateTime? _lastNotificationAt;
    private long _reconnects;

    /// <summary>The lock of everything here.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The subscriptions that hold the listener open, and the subscribers waiting for their LISTEN.</summary>
    public ListenerSubscriptions Subscriptions { get; } = new();

    /// <summary>The channels the connection LISTENs on.</summary>
    public ListenSet ListenSet { get; } = new();

    /// <summary>Where the listener stands.</summary>
    public ListenerState StateLocked { get; private set; }

    /// <summary>Why the last connection attempt or connection failed; null once a LISTEN succeeded again.</summary>
    public string? LastErrorLocked { get; set; }

    /// <summary>The one place the state changes: checked, logged and metered.</summary>
    public void TransitionToLocked(ListenerState next)
    {
        var previous = StateLocked;
        if (previous == next)
        {
            return;
        }

        if (!ListenerTransitions.IsAllowed(previous, next))
        {
            throw new InvalidOperationException($"Listener of database '{database}' cannot go from {previous} to {next}.");
        }

        StateLocked = next;
        ListenerLog.StateChanged(logger, database, previous, next);
        metrics.ListenerStateChanged(database, ListenerStateNames.Of(previous), ListenerStateNames.Of(next));
    }

    /// <summary>
    /// Whether subscribers of <paramref name="channels"/> are served now: a standby's by the leader, which LISTENs on
    /// every channel of the database.
    /// </summary>
    public bool IsServingLocked(IReadOnlyCollection<string> channels)
        => StateLocked == ListenerState.Standby || (StateLocked == ListenerState.Listening && ListenSet.Active.IsSupersetOf(channels));

    /// <summary>Interrupts the loop's wait (see <see cref="ListenerConnection.WaitAsync"/>) so that it looks again.</summary>
    public void WakeLocked()
    {
        if (!_wake.IsCancellationRequested)
        {
            _wake.Cancel();
        }
    }

    /// <summary>The token the loop's next wait is woken by: a fresh one once the last has fired.</summary>
    public CancellationToken TakeWakeTokenLocked()
    {
        if (_wake.IsCancellationRequested)
        {
            _wake.Dispose();
            _wake = new CancellationTokenSource();
        }

        return _wake.Token;
    }

    /// <summary>Counts a notification this instance forwarded.</summary>
    public void CountNotification(DateTime receivedAt)
    {
        lock (Gate)
        {
            _notificationsReceived++;
            _lastNotificationAt = receivedAt;
        }
    }

    /// <summary>Counts a connection that came back after a loss.</summary>
    public void CountReconnect()
    {
        lock (Gate)
        {
            _reconnects++;
        }
    }

    /// <summary>A point-in-time view for stats and health, with <paramref name="pendingDeliveries"/> from the sink.</summary>
    public ListenerSnapshot Snapshot(int pendingDeliveries)
    {
        lock (Gate)
        {
            return new ListenerSnapshot(
                database,
                StateLocked,
                ListenSet.Active.Order(StringComparer.Ordinal).ToArray(),
                Subscriptions.Count,
                _notificationsReceived,
                _lastNotificationAt,
                _reconnects,
                LastErrorLocked,
                pendingDeliveries);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _wake.Dispose();
}
