using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hub.Server.Delivery;

/// <summary>
/// The one writer of a WebSocket connection's socket: broadcast frames from the fan-out, and every frame the
/// connection's own <see cref="System.Net.WebSockets.WebSocket"/> sends (SignalR's replies, pings, the close frame),
/// in the order they were handed over.
/// </summary>
/// <remarks>
/// <para>
/// The write lock is <see cref="_writing"/>: whoever sets it (under <see cref="_gate"/>) owns the socket until it
/// finds nothing more to write and clears it. A frame that arrives while the socket is owned queues behind; the owner
/// writes what queued as one batch (several notifications in one socket write) when its write completes. So a writer
/// that keeps up writes each shared broadcast frame straight to the socket, without a copy, a task or a wake-up, and
/// a backlog costs one write per batch instead of one per message. While the delivery queue sends a run of envelopes
/// (<see cref="DeferredFlushes"/>), a free socket is not written either: the run's frames wait and go out together
/// when the run ends, so a backlog costs one write per connection and run even when every write would complete at once.
/// </para>
/// <para>
/// Slow consumers are judged by progress (<see cref="SlowConsumerPolicy"/>): a connection is disconnected when more
/// than the bound waits for it and no write has completed for the policy's timeout, or when what waits reaches the
/// hard cap. A burst larger than the bound sent to a client that keeps reading is not slow.
/// </para>
/// <para>
/// The owner never waits for <see cref="_gate"/> while writing, and nothing holds <see cref="_gate"/> across a write,
/// so the fan-out, the socket's own sends and the heartbeat cannot deadlock each other.
/// </para>
/// </remarks>
public sealed class ConnectionWriter : IDeliveryHoldFeature, IHeldWriter, IRunWriter
{
    // The largest batch one socket write carries: several notifications, without one huge rented buffer.
    private const int MaxBatchBytes = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly Stream _socket;
    private readonly SlowConsumerPolicy _policy;
    private readonly SlowConsumerMonitor _monitor;
    private readonly TimeProvider _time;
    private readonly Action<ConnectionWriter, string> _disconnect;

    // Guarded by _gate.
    private Queue<OutgoingFrame>? _queue;
    private long _queuedBytes;
    private bool _writing;
    private bool _closed;
    private long _lastProgress;
    private TaskCompletionSource? _idle;
    private DeliveryHold? _hold;
    private List<OutgoingFrame>? _held;
    private long _heldBytes;
    private bool _inRun;

    /// <summary>Creates the writer of <paramref name="connectionId"/>'s socket.</summary>
    /// <param name="connectionId">The connection's id, for logs.</param>
    /// <param name="socket">The upgraded connection's stream; only this writer writes to it.</param>
    /// <param name="policy">When the connection counts as a slow consumer.</param>
    /// <param name="monitor">Counts buffering and disconnected connections.</param>
    /// <param name="time">The clock progress is measured with.</param>
    /// <param name="disconnect">Aborts the connection, with the reason; called at most once, outside the writer's lock.</param>
    public ConnectionWriter(
        string connectionId, Stream socket, SlowConsumerPolicy policy, SlowConsumerMonitor monitor, TimeProvider time, Action<ConnectionWriter, string> disconnect)
    {
        ConnectionId = connectionId;
        _socket = socket;
        _policy = policy;
        _monitor = monitor;
        _time = time;
        _disconnect = disconnect;
    }

    /// <summary>The connection's id.</summary>
    public string ConnectionId { get; }

    /// <summary>The hub protocol the connection speaks, known once its handshake is done; broadcast frames are built per protocol.</summary>
    public IHubProtocol? Protocol { get; set; }

    /// <summary>Bytes waiting for the socket now, held ones included.</summary>
    public long WaitingBytes
    {
        get
        {
            lock (_gate)
            {
                return _queuedBytes + _heldBytes;
            }
        }
    }

    /// <summary>
    /// Sends a broadcast frame shared with other connections. Never waits: the frame is written now when the socket
    /// is free, and otherwise queued behind what is being written (or held, or dropped once the connection closed).
    /// </summary>
    internal void Send(OutgoingFrame frame)
    {
        DeferredFlushes? joined = null;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!TakeSocketLocked(frame, ref joined))
            {
                CheckLocked();
                frame = default;
            }
        }

        // Joined outside the lock: a run's release takes its own lock first and then this writer's.
        joined?.Hold(this);
        if (frame.Buffer is null)
        {
            return;
        }

        Pump(frame);
    }

    /// <summary>
    /// Writes one frame of the connection's own WebSocket, which reuses <paramref name="frame"/> once this returns:
    /// written straight from it when the socket is free, else copied and queued. Dropped quietly once closed. Never
    /// waits for a client that does not read: a write the socket cannot complete at once is left to the pump, so a
    /// send through SignalR (a backplane's group send among them) never waits for one slow connection.
    /// </summary>
    /// <remarks>
    /// The upgraded stream copies what it is given into the server's output before its write returns (Kestrel writes
    /// into its output pipe, then waits for the flush), so returning while that write is pending leaves the caller free
    /// to reuse <paramref name="frame"/>.
    /// </remarks>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        DeferredFlushes? joined = null;
        var owns = false;
        lock (_gate)
        {
            if (_closed)
            {
                return ValueTask.CompletedTask;
            }

            var passing = _hold is null || DeliveryHold.Current == _hold;
            // Behind a run's frames, not ahead of them: the connection's own frames keep their order with broadcasts.
            // Sent inside a run (a replay's batch), they join it.
            var run = passing && !_writing && !_inRun ? DeferredFlushes.Current : null;
            if (_writing || !passing || _inRun || run is not null)
            {
                Enqueue(OutgoingFrame.CopyOf(frame.Span), passing);
                if (run is not null)
                {
                    _inRun = true;
                    joined = run;
                }

                CheckLocked();
            }
            else
            {
                _writing = true;
                _lastProgress = _time.GetTimestamp();
                owns = true;
            }
        }

        if (!owns)
        {
            joined?.Hold(this);
            return ValueTask.CompletedTask;
        }

        ValueTask write;
        try
        {
            write = _socket.WriteAsync(frame, cancellationToken);
        }
        catch
        {
            Close();
            throw;
        }

        if (!write.IsCompletedSuccessfully)
        {
            _ = PumpAsync(write, default);
        }
        else if (TryTakeNext(out var next))
        {
            Pump(next);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Completes when nothing waits for the socket and no write is in progress, or the writer closed.</summary>
    public Task DrainedAsync()
    {
        lock (_gate)
        {
            if (_closed || (!_writing && _heldBytes == 0 && !(_inRun && _queuedBytes > 0)))
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>Stops writing: what waits is discarded and later frames are dropped quietly.</summary>
    public void Close()
    {
        TaskCompletionSource? idle;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            DropLocked();
            idle = _idle;
            _idle = null;
        }

        idle?.TrySetResult();
    }

    /// <summary>
    /// Disconnects the connection when it has made no progress for the policy's timeout with more than the bound
    /// waiting; called by the heartbeat, so that a client that stops reading is found without another send.
    /// </summary>
    public void CheckProgress()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                CheckLocked();
            }
        }
    }

    /// <inheritdoc />
    public DeliveryHold Hold()
    {
        lock (_gate)
        {
            _hold = DeliveryHold.Begin(_hold, this);
            _held = [];
            return _hold;
        }
    }

    /// <inheritdoc />
    public bool HasRoom
    {
        get
        {
            lock (_gate)
            {
                return _closed || _queuedBytes <= _policy.MaxBufferedBytes / 2;
            }
        }
    }

    /// <inheritdoc />
    public void ReleaseHold(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        OutgoingFrame next = default;
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (_hold != hold)
            {
                return;
            }

            var held = _held!;
            _hold = null;
            _held = null;
            _heldBytes = 0;
            foreach (var frame in held)
            {
                if (_closed || drop(frame.Payload))
                {
                    frame.Return();
                }
                else
                {
                    Enqueue(frame, passing: true);
                }
            }

            if (!_writing && !_closed && TryDequeueLocked(out next))
            {
                _writing = true;
                _lastProgress = _time.GetTimestamp();
            }
            else if (!_writing)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
        if (next.Buffer is not null)
        {
            Pump(next);
        }
    }

    /// <inheritdoc />
    void IRunWriter.ReleaseHeld()
    {
        OutgoingFrame next;
        lock (_gate)
        {
            _inRun = false;
            if (_closed || _writing || !TryDequeueLocked(out next))
            {
                return;
            }

            _writing = true;
            _lastProgress = _time.GetTimestamp();
        }

        Pump(next);
    }

    /// <summary>
    /// True when the caller now owns the socket and writes <paramref name="frame"/> itself; otherwise the frame is
    /// queued (or held) behind the current owner, or behind the run it joins (<paramref name="joined"/>).
    /// </summary>
    private bool TakeSocketLocked(OutgoingFrame frame, ref DeferredFlushes? joined)
    {
        var held = _hold is not null && DeliveryHold.Current != _hold;
        if (_writing || held || _inRun)
        {
            Enqueue(frame, passing: !held);
            return false;
        }

        if (DeferredFlushes.Current is { } run)
        {
            Enqueue(frame, passing: true);
            _inRun = true;
            joined = run;
            return false;
        }

        _writing = true;
        _lastProgress = _time.GetTimestamp();
        return true;
    }

    private void Enqueue(OutgoingFrame frame, bool passing)
    {
        if (passing)
        {
            (_queue ??= new Queue<OutgoingFrame>()).Enqueue(frame);
            _queuedBytes += frame.Length;
        }
        else
        {
            _held!.Add(frame);
            _heldBytes += frame.Length;
        }
    }

    /// <summary>Writes <paramref name="frame"/> and then whatever queued behind it, as the socket's owner.</summary>
    private void Pump(OutgoingFrame frame)
    {
        while (true)
        {
            ValueTask write;
            try
            {
                write = _socket.WriteAsync(frame.Bytes);
            }
#pragma warning disable CA1031 // A failed socket ends this connection only; its receive loop sees the abort.
            catch (Exception)
#pragma warning restore CA1031
            {
                frame.Return();
                Close();
                return;
            }

            if (!write.IsCompletedSuccessfully)
            {
                _ = PumpAsync(write, frame);
                return;
            }

            frame.Return();
            if (!TryTakeNext(out frame))
            {
                return;
            }
        }
    }

    private async Task PumpAsync(ValueTask write, OutgoingFrame frame)
    {
        _monitor.BufferingStarted(ConnectionId);
        try
        {
            while (true)
            {
                try
                {
                    await write.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // See Pump.
                catch (Exception)
#pragma warning restore CA1031
                {
                    Close();
                    return;
                }
                finally
                {
                    frame.Return();
                }

                if (!TryTakeNext(out frame))
                {
                    return;
                }

                try
                {
                    write = _socket.WriteAsync(frame.Bytes);
                }
#pragma warning disable CA1031 // See Pump.
                catch (Exception)
#pragma warning restore CA1031
                {
                    frame.Return();
                    Close();
                    return;
                }
            }
        }
        finally
        {
            _monitor.BufferingEnded();
        }
    }

    /// <summary>After a completed write: the next frame or batch to write, or false and the socket is free again.</summary>
    private bool TryTakeNext(out OutgoingFrame next)
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            _lastProgress = _time.GetTimestamp();
            if (!_closed && TryDequeueLocked(out next))
            {
                return true;
            }

            _writing = false;
            next = default;
            if (_heldBytes == 0 || _closed)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
        return false;
    }

    private bool TryDequeueLocked(out OutgoingFrame next)
    {
        if (_queue is null || !_queue.TryDequeue(out next))
        {
            next = default;
            return false;
        }

        if (_queue.Count == 0 || next.Length + _queue.Peek().Length > MaxBatchBytes)
        {
            _queuedBytes -= next.Length;
            return true;
        }

        // A backlog: as many of the waiting frames as fit go out in one write.
        var batch = System.Buffers.ArrayPool<byte>.Shared.Rent(MaxBatchBytes);
        var length = 0;
        var frame = next;
        while (true)
        {
            frame.Bytes.Span.CopyTo(batch.AsSpan(length));
            length += frame.Length;
            _queuedBytes -= frame.Length;
            frame.Return();
            if (!_queue.TryPeek(out frame) || length + frame.Length > MaxBatchBytes)
            {
                break;
            }

            _queue.Dequeue();
        }

        next = OutgoingFrame.Batch(batch, length);
        return true;
    }

    /// <summary>Applies the slow-consumer rule to what waits now; disconnects outside the lock when it is broken.</summary>
    private void CheckLocked()
    {
        var waiting = _queuedBytes + _heldBytes;
        if (waiting <= _policy.MaxBufferedBytes)
        {
            return;
        }

        var stalledFor = _time.GetElapsedTime(_lastProgress);
        string? reason = null;
        if (waiting > _policy.HardMaxBufferedBytes)
        {
            reason = $"Slow consumer: more than {_policy.HardMaxBufferedBytes} bytes (Hub:Delivery:HardMaxBufferedBytesPerConnection) waiting for the client.";
        }
        else if (_writing && stalledFor >= _policy.StallTimeout)
        {
            reason = $"Slow consumer: more than {_policy.MaxBufferedBytes} bytes (Hub:Delivery:MaxBufferedBytesPerConnection) waiting and nothing read for {stalledFor.TotalSeconds:0.#} s (Hub:Delivery:SlowConsumerTimeout).";
        }

        if (reason is null)
        {
            return;
        }

        _closed = true;
        DropLocked();
        var idle = _idle;
        _idle = null;
        // Off the caller's thread: the caller holds the lock, and aborting touches the connection's other parts.
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                state.Writer._monitor.Disconnected(state.Writer.ConnectionId, state.Waiting, state.Writer._policy.MaxBufferedBytes);
                state.Idle?.TrySetResult();
                state.Writer._disconnect(state.Writer, state.Reason);
            },
            (Writer: this, Waiting: waiting, Reason: reason, Idle: idle),
            preferLocal: false);
    }

    private void DropLocked()
    {
        if (_queue is not null)
        {
            while (_queue.TryDequeue(out var frame))
            {
                frame.Return();
            }
        }

        if (_held is not null)
        {
            foreach (var frame in _held)
            {
                frame.Return();
            }

            _held.Clear();
        }

        _queuedBytes = 0;
        _heldBytes = 0;
    }

}
