using System.Diagnostics.CodeAnalysis;
using Hub.Server.Contracts;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Delivery;

/// <summary>
/// The in-memory, ordered and bounded send queue of one database. The listener enqueues without doing I/O (it runs
/// inside Npgsql's read loop); one consumer sends the envelopes in the order they were enqueued, so every client sees
/// a database's notifications and resyncs in the order PostgreSQL delivered them.
/// </summary>
/// <remarks>
/// <para>
/// The queue holds at most <see cref="DeliveryOptions.MaxQueueLength"/> items and no notification older than
/// <see cref="DeliveryOptions.MaxQueueAge"/>. Past either bound the oldest plain notifications are dropped (counted in
/// <see cref="HubDiagnostics.Instruments.DeliveriesDropped"/>) and the database's subscribers get one resync for the
/// dropped span (<see cref="DroppedSpan"/>) instead of pushes minutes late. That resync waits until the queue has
/// caught up (nothing waits), or the span is <see cref="DeliveryOptions.MaxQueueAge"/> old, so that one overload
/// costs clients one reload rather than one per dropped notification.
/// </para>
/// <para>
/// Sends happen only while <see cref="Lease"/> is valid: once this instance no longer leads the database (its lease
/// ran out while it was frozen, or its listener lost the connection that held the leadership), what is queued is
/// dropped, counted as dropped, and left to the next leader's resync, which starts at what was last sent
/// (<see cref="LastSent"/>). So nothing reaches clients out of order after a handover.
/// </para>
/// <para>
/// Outbox notifications (with a position) are never dropped: their reader waits for each batch to be sent before it
/// reads the next, which bounds them already, and their clients resume by position rather than by resync.
/// </para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, and the name must not be confused with the transactional outbox of durable streams.")]
public sealed class DeliveryQueue : IDatabaseSink
{
    // How many envelopes at most one connection receives in a single flush when a backlog builds up: enough to
    // cut the per-message wake-ups and system calls by an order of magnitude, few enough that the first of a run
    // is not held back long while the rest are written to every connection.
    private const int MaxRunLength = 16;

    private readonly DeferredFlushes _run = new();
    private readonly IEnvelopeSender _sender;
    private readonly DeliveryTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _database;
    private readonly int _maxLength;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _shutdownTimeout;
    private readonly Task _consumer;

    // Guarded by _gate: envelopes, and the TaskCompletionSource of each SentAsync call at its place in the order;
    // what was dropped and not yet covered by a resync; the receive time of the last notification handed to the
    // sender; the consumer's wake-up while it waits for work.
    private readonly Lock _gate = new();
    private readonly Queue<object> _queue = new();
    private readonly DroppedSpan _dropped = new();
    private DateTime? _lastSent;
    private bool _sending;
    private TaskCompletionSource? _arrived;
    private bool _completed;
    private long _completedAt;

    /// <summary>Creates the queue of <paramref name="database"/> bounded by <paramref name="options"/> and starts its consumer.</summary>
    public DeliveryQueue(string database, IEnvelopeSender sender, DeliveryTelemetry telemetry, ILogger logger, DeliveryOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _sender = sender;
        _telemetry = telemetry;
        _telemetry.Opened(database);
        _logger = logger;
        _time = time;
        _maxLength = options.MaxQueueLength;
        _maxAge = options.MaxQueueAge;
        _shutdownTimeout = options.ShutdownTimeout;
        Lease = new ForwardingLease(time);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <inheritdoc />
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count + (_sending ? 1 : 0);
            }
        }
    }

    /// <inheritdoc />
    public DateTime? LastSent
    {
        get
        {
            lock (_gate)
            {
                return _lastSent;
            }
        }
    }

    /// <inheritdoc />
    public ForwardingLease Lease { get; }

    /// <inheritdoc />
    public void Enqueue(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        Add(envelope);
    }

    /// <inheritdoc />
    public Task SentAsync()
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Add(sent))
        {
            sent.TrySetResult();
        }

        return sent.Task;
    }

    /// <summary>
    /// Stops accepting envelopes and sends what is queued for up to <see cref="DeliveryOptions.ShutdownTimeout"/>;
    /// what is left then is dropped and covered by one resync. Waits for the consumer no longer than that bound
    /// and as long again for a send that hangs.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource? arrived;
        lock (_gate)
        {
            _completed = true;
            _completedAt = _time.GetTimestamp();
            arrived = TakeArrivedLocked();
        }

        arrived?.TrySetResult();
        try
        {
            await _consumer.WaitAsync(2 * _shutdownTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A send that hangs (a backplane that does not answer) must not hold the instance up past its bound.
            DeliveryLog.ShutdownAbandoned(_logger, _database, Pending);
        }
    }

    private bool Add(object item)
    {
        TaskCompletionSource? arrived;
        int dropped;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _queue.Enqueue(item);
            dropped = DropOverBoundLocked();
            arrived = TakeArrivedLocked();
        }

        if (dropped > 0)
        {
            _telemetry.Dropped(_database, dropped);
        }

        arrived?.TrySetResult();
        return true;
    }

    private async Task ConsumeAsync()
    {
        var run = 0;
        try
        {
            while (await TakeAsync().ConfigureAwait(false) is ({ } item, var waiting))
            {
                // With envelopes waiting behind this one, a run starts: its flushes are held so that it reaches
                // each connection in one piece. It ends with the last envelope that was waiting, or at MaxRunLength.
                var inRun = run > 0 || waiting > 0;
                await SendAsync(item, inRun).ConfigureAwait(false);
                if (inRun && (waiting == 0 || ++run == MaxRunLength))
                {
                    _run.Release();
                    run = 0;
                }
            }
        }
        finally
        {
            _run.Release();
        }
    }

    /// <summary>The next item to send and how many wait behind it; null once the queue is disposed and empty.</summary>
    private async Task<(object? Item, int Waiting)> TakeAsync()
    {
        while (true)
        {
            Task arrived;
            var dropped = 0;
            ResyncEnvelope? resync = null;
            var spanSize = 0;
            var fenced = 0;
            object? item = null;
            int waiting;
            lock (_gate)
            {
                dropped = DropOverBoundLocked();
                // Checked right before the send: a leader that resumes from a freeze finds its lease over here.
                if (!Lease.IsValid)
                {
                    fenced = DropAllLocked();
                    _dropped.Clear();
                    _queue.TryDequeue(out item);
                }
                else if (!_dropped.IsEmpty && (_queue.Count == 0 || _time.GetElapsedTime(_dropped.OpenedAt) >= _maxAge))
                {
                    spanSize = _dropped.Notifications;
                    var keptAfter = _queue.TryPeek(out var head) && head is NotificationEnvelope kept ? kept.ReceivedAt : _time.GetUtcNow().UtcDateTime;
                    resync = _dropped.Close(_database, keptAfter);
                }
                else
                {
                    _queue.TryDequeue(out item);
                }

                waiting = _queue.Count;
                _sending = resync is not null || item is not null;
                if (resync is null && item is null && !_completed)
                {
                    _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                arrived = _arrived?.Task ?? Task.CompletedTask;
            }

            if (dropped + fenced > 0)
            {
                _telemetry.Dropped(_database, dropped + fenced);
            }

            if (fenced > 0)
            {
                DeliveryLog.Fenced(_logger, _database, fenced);
            }

            if (resync is not null)
            {
                DeliveryLog.Overloaded(_logger, _database, spanSize, resync.Since, resync.Until);
                return (resync, waiting);
            }

            if (item is not null || _completed)
            {
                return (item, waiting);
            }

            await arrived.ConfigureAwait(false);
        }
    }

    /// <summary>Drops the oldest notifications while the queue is over its length or its head over its age; returns how many.</summary>
    private int DropOverBoundLocked()
    {
        var dropped = 0;
        var now = _time.GetUtcNow().UtcDateTime;
        // A stopping instance that ran out of time drops what is left, as over a bound.
        var outOfTime = _completed && _time.GetElapsedTime(_completedAt) >= _shutdownTimeout;
        while (_queue.TryPeek(out var head) && IsDroppable(head))
        {
            var overLength = outOfTime || _queue.Count > _maxLength;
            if (!overLength && !(head is NotificationEnvelope notification && now - notification.ReceivedAt > _maxAge))
            {
                break;
            }

            _queue.Dequeue();
            _dropped.Add((Envelope)head, _lastSent, _time.GetTimestamp());
            dropped += head is NotificationEnvelope ? 1 : 0;
        }

        return dropped;
    }

    /// <summary>Drops every queued notification and resync (this instance no longer leads); returns how many notifications.</summary>
    private int DropAllLocked()
    {
        var dropped = 0;
        var kept = new Queue<object>();
        while (_queue.TryDequeue(out var item))
        {
            if (IsDroppable(item))
            {
                dropped += item is NotificationEnvelope ? 1 : 0;
            }
            else
            {
                kept.Enqueue(item);
            }
        }

        // What is not droppable (outbox rows and their SentAsync marks) keeps its order.
        foreach (var item in kept)
        {
            _queue.Enqueue(item);
        }

        return dropped;
    }

    private TaskCompletionSource? TakeArrivedLocked()
    {
        var arrived = _arrived;
        _arrived = null;
        return arrived;
    }

    // Only plain NOTIFY is dropped (see the remarks); a queued resync folds into the span of the drop.
    private static bool IsDroppable(object item)
        => item is ResyncEnvelope or NotificationEnvelope { Position: null };

    private async Task SendAsync(object item, bool inRun)
    {
        if (item is not Envelope envelope)
        {
            ((TaskCompletionSource)item).TrySetResult();
            return;
        }

        try
        {
            Task send;
            using (inRun ? _run.Enter() : default)
            {
                send = _sender.SendAsync(envelope, CancellationToken.None);
            }

            await send.ConfigureAwait(false);
            if (envelope is NotificationEnvelope notification)
            {
                lock (_gate)
                {
                    _lastSent = notification.ReceivedAt;
                }
            }

            _telemetry.Sent(_database, envelope);
        }
        catch (Exception ex)
        {
            // A failed group send must not stop the database's delivery; the next envelope goes out as usual.
            DeliveryLog.SendFailed(_logger, _database, ex);
            _telemetry.Sent(_database, envelope, ex);
        }
    }
}
