using Hub.Server.Contracts;

namespace Hub.Server.Delivery;

/// <summary>
/// What one database's <see cref="DeliveryQueue"/> holds, under one lock: the envelopes and <c>SentAsync</c> marks in
/// their order, the bounds that drop the oldest plain notifications, the span those drops left for a resync, and the
/// receive time of the last notification sent.
/// </summary>
/// <remarks>
/// It never sends and never waits: the queue's consumer takes from it (<see cref="Take"/>) and says when a
/// notification's send completed (<see cref="MarkSent"/>). Only plain NOTIFY is dropped; a queued resync folds into
/// the span of the drop, and outbox rows (with a position) and <c>SentAsync</c> marks keep their place.
/// </remarks>
internal sealed class DeliveryBacklog(string database, DeliveryOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<DeliveryItem> _queue = new();
    private readonly DroppedSpan _dropped = new();
    private readonly int _maxLength = options.MaxQueueLength;
    private readonly TimeSpan _maxAge = options.MaxQueueAge;
    private readonly TimeSpan _shutdownTimeout = options.ShutdownTimeout;
    private DateTime? _lastSent;
    private bool _sending;
    private TaskCompletionSource? _arrived;
    private bool _completed;
    private long _completedAt;

    /// <summary>How many items wait, the one being sent included.</summary>
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

    /// <summary>The receive time of the newest notification whose send completed.</summary>
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

    /// <summary>Whether the backlog stopped accepting items.</summary>
    public bool Completed
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="item"/> (an envelope or a <c>SentAsync</c> mark) and drops over the bounds; false once
    /// completed. <paramref name="dropped"/> counts the notifications dropped.
    /// </summary>
    public bool Add(DeliveryItem item, out int dropped)
    {
        TaskCompletionSource? arrived;
        lock (_gate)
        {
            if (_completed)
            {
                dropped = 0;
                return false;
            }

            _queue.Enqueue(item);
            dropped = DropOverBoundLocked();
            arrived = TakeArrivedLocked();
        }

        arrived?.TrySetResult();
        return true;
    }

    /// <summary>Stops accepting items; what is queued is still taken, until <see cref="DeliveryOptions.ShutdownTimeout"/> runs out.</summary>
    public void Complete()
    {
        TaskCompletionSource? arrived;
        lock (_gate)
        {
            _completed = true;
            _completedAt = time.GetTimestamp();
            arrived = TakeArrivedLocked();
        }

        arrived?.TrySetResult();
    }

    /// <summary>
    /// The next thing to send: the resync for a dropped span once the queue has caught up (or the span is
    /// <see cref="DeliveryOptions.MaxQueueAge"/> old), else the oldest item; with <paramref name="leaseValid"/> false,
    /// everything droppable is dropped first. When there is nothing, <see cref="BacklogTake.Arrived"/> completes when
    /// there is.
    /// </summary>
    public BacklogTake Take(bool leaseValid)
    {
        lock (_gate)
        {
            var dropped = DropOverBoundLocked();
            var fenced = 0;
            var spanSize = 0;
            ResyncEnvelope? resync = null;
            DeliveryItem? item = null;
            // Checked right before the send: a leader that resumes from a freeze finds its lease over here.
            if (!leaseValid)
            {
                fenced = DropAllLocked();
                _dropped.Clear();
                item = DequeueLocked();
            }
            else if (!_dropped.IsEmpty && (_queue.Count == 0 || time.GetElapsedTime(_dropped.OpenedAt) >= _maxAge))
            {
                spanSize = _dropped.Notifications;
                var keptAfter = _queue.TryPeek(out var head) && head.Notification is { } kept ? kept.ReceivedAt : time.GetUtcNow().UtcDateTime;
                resync = _dropped.Close(database, keptAfter);
            }
            else
            {
                item = DequeueLocked();
            }

            _sending = resync is not null || item is not null;
            if (resync is null && item is null && !_completed)
            {
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return new BacklogTake(resync is not null ? DeliveryItem.Of(resync) : item, resync is not null, spanSize, _queue.Count, dropped, fenced, _completed, _arrived?.Task ?? Task.CompletedTask);
        }
    }

    /// <summary>Records that the send of a notification received at <paramref name="receivedAt"/> completed.</summary>
    public void MarkSent(DateTime receivedAt)
    {
        lock (_gate)
        {
            _lastSent = receivedAt;
        }
    }

    /// <summary>Drops the oldest notifications while the queue is over its length or its head over its age; returns how many.</summary>
    private int DropOverBoundLocked()
    {
        var dropped = 0;
        var now = time.GetUtcNow().UtcDateTime;
        // A stopping instance that ran out of time drops what is left, as over a bound.
        var outOfTime = _completed && time.GetElapsedTime(_completedAt) >= _shutdownTimeout;
        while (_queue.TryPeek(out var head) && head.IsDroppable)
        {
            var overLength = outOfTime || _queue.Count > _maxLength;
            if (!overLength && !(head.Notification is { } notification && now - notification.ReceivedAt > _maxAge))
            {
                break;
            }

            _queue.Dequeue();
            _dropped.Add(head.Envelope!, _lastSent, time.GetTimestamp());
            dropped += head.Notification is not null ? 1 : 0;
        }

        return dropped;
    }

    /// <summary>Drops every queued notification and resync (this instance no longer leads); returns how many notifications.</summary>
    private int DropAllLocked()
    {
        var dropped = 0;
        var kept = new Queue<DeliveryItem>();
        while (_queue.TryDequeue(out var item))
        {
            if (item.IsDroppable)
            {
                dropped += item.Notification is not null ? 1 : 0;
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

    private DeliveryItem? DequeueLocked() => _queue.TryDequeue(out var item) ? item : null;

    private TaskCompletionSource? TakeArrivedLocked()
    {
        var arrived = _arrived;
        _arrived = null;
        return arrived;
    }
}
