using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Hub.Server.Delivery;

/// <summary>
/// The hub's end of one connection's transport, with a bound on what a stalled client can cost.
/// </summary>
/// <remarks>
/// SignalR's group send completes only when every member's write has, and a member whose transport is full
/// (the client stopped reading) queues every later write on its connection without limit. This writer sits
/// between SignalR and the transport: while the transport keeps up, writes go straight through (no copy, no
/// allocation). When a flush cannot complete, the writer reports it complete at once and from then on queues
/// the connection's messages itself, in order, while a pump hands them to the transport as it drains. When the
/// queue would exceed <see cref="DeliveryOptions.MaxBufferedBytesPerConnection"/> the connection is aborted.
/// A <see cref="DeferredFlushes"/> run writes its messages to the transport without flushing and flushes them
/// together when it is released; meanwhile the transport is the run's, as it is the pump's, and others queue.
/// SignalR serializes writes on a connection, so there is one writer at a time; the pump is the only other
/// party and touches the transport only while <see cref="_pumping"/> is set.
/// It serves only SignalR's own transports (fallback transports, or the hub's WebSocket transport turned off), and
/// is kept in one piece because its modes are one state machine under one lock.
/// </remarks>
internal sealed class BoundedPipeWriter : PipeWriter, IDeliveryHoldFeature, IHeldWriter, IRunWriter
{
    private static readonly ValueTask<FlushResult> Accepted = new(new FlushResult(isCanceled: false, isCompleted: false));
    private static readonly ValueTask<FlushResult> Closed = new(new FlushResult(isCanceled: false, isCompleted: true));

    private readonly PipeWriter _transport;
    private readonly ConnectionContext _connection;
    private readonly SlowConsumerMonitor _monitor;
    private readonly long _maxBufferedBytes;
    private readonly Lock _gate = new();

    // Guarded by _gate; read without it where a stale value is harmless (see BeginMessage).
    private Queue<BufferedMessage>? _queue;
    private long _queuedBytes;
    private volatile bool _pumping;
    private volatile bool _discarding;
    private bool _completeRequested;
    private Exception? _completeException;

    // Set (under _gate) by the run that holds the transport, cleared by that run's release.
    private DeferredFlushes? _holder;

    // A DeliveryHold and what it keeps back (guarded by _gate; _hold is read without it in BeginMessage). While a
    // hold is active every send outside its pass scope is held, so the only writes that reach the transport are
    // the passing ones, which have finished by the time the hold's owner releases it.
    private volatile DeliveryHold? _hold;
    private List<BufferedMessage>? _held;
    private long _heldBytes;
    private RoomSignal _room;

    // Owned by the single writer.
    private Mode _mode;
    private byte[]? _message;
    private int _messageLength;

    public BoundedPipeWriter(PipeWriter transport, ConnectionContext connection, SlowConsumerMonitor monitor, long maxBufferedBytes)
    {
        _transport = transport;
        _connection = connection;
        _monitor = monitor;
        _maxBufferedBytes = maxBufferedBytes;
    }

    private enum Mode
    {
        None,
        Direct,
        Buffered,
        Held,
        Discard,
    }

    /// <summary>Bytes queued in the hub for this connection now.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _queuedBytes;
            }
        }
    }

    public override void Advance(int bytes)
    {
        if (_mode == Mode.Direct)
        {
            _transport.Advance(bytes);
        }
        else
        {
            _messageLength += bytes;
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
        => BeginMessage() == Mode.Direct ? _transport.GetMemory(sizeHint) : MessageBuffer(sizeHint).AsMemory(_messageLength);

    public override Span<byte> GetSpan(int sizeHint = 0)
        => BeginMessage() == Mode.Direct ? _transport.GetSpan(sizeHint) : MessageBuffer(sizeHint).AsSpan(_messageLength);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var mode = _mode;
        _mode = Mode.None;
        switch (mode)
        {
            case Mode.Buffered or Mode.Held:
                var message = _message!;
                var length = _messageLength;
                _message = null;
                _messageLength = 0;
                return mode == Mode.Held ? HoldBack(message, length) : Enqueue(message, length);
            case Mode.Discard:
                _messageLength = 0;
                return Closed;
            case Mode.Direct:
                return Through(_transport.FlushAsync(cancellationToken));
            default:
                return _pumping || _discarding ? Accepted : Through(_transport.FlushAsync(cancellationToken));
        }
    }

    /// <summary>The path of SignalR's pre-serialized group and broadcast messages.</summary>
    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (_mode != Mode.None)
        {
            // A message already begun through GetSpan: append and flush as one.
            this.Write(source.Span);
            return FlushAsync(cancellationToken);
        }

        if (!IsHeld() && DeferredFlushes.Current is { } run && TryHold(run))
        {
            // The run holds this transport: nothing else writes to it until the run is released and flushes it.
            _transport.Write(source.Span);
            return Accepted;
        }

        switch (BeginMessage())
        {
            case Mode.Direct:
                _mode = Mode.None;
                return Through(_transport.WriteAsync(source, cancellationToken));
            case Mode.Buffered or Mode.Held:
                var held = _mode == Mode.Held;
                _mode = Mode.None;
                var copy = ArrayPool<byte>.Shared.Rent(source.Length);
                source.Span.CopyTo(copy);
                return held ? HoldBack(copy, source.Length) : Enqueue(copy, source.Length);
            default:
                _mode = Mode.None;
                return Closed;
        }
    }

    public override void CancelPendingFlush() => _transport.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        lock (_gate)
        {
            _discarding = true;
            // Safe under the lock: the waiter's continuations run asynchronously.
            _room.TakeIf(hasRoom: true)?.TrySetResult();
            if (_pumping)
            {
                // The pump completes the transport once it has handed over what it holds, so a close
                // message queued behind a backlog still goes out when the client catches up.
                _completeRequested = true;
                _completeException = exception;
                return;
            }
        }

        ReturnMessageBuffer();
        _transport.Complete(exception);
    }

    private Mode BeginMessage()
    {
        if (_mode == Mode.None)
        {
            // Only this writer starts the pump, so "not pumping" cannot turn stale into "pumping" behind our back;
            // a stale "pumping" only sends one message through the queue, which keeps its order.
            // _hold is read before _pumping: a release sets _pumping before it clears _hold.
            _mode = _discarding ? Mode.Discard : IsHeld() ? Mode.Held : _pumping ? Mode.Buffered : Mode.Direct;
        }

        return _mode;
    }

    private bool IsHeld() => _hold is { } hold && DeliveryHold.Current != hold;

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
                return HasRoomLocked;
            }
        }
    }

    private bool HasRoomLocked => _discarding || _queuedBytes <= _maxBufferedBytes / 2;

    /// <inheritdoc />
    Task IHeldWriter.RoomAsync()
    {
        lock (_gate)
        {
            return _room.Wait(HasRoomLocked);
        }
    }

    /// <summary>See <see cref="DeliveryHold.Release"/>.</summary>
    public void ReleaseHold(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop)
    {
        bool startPump;
        lock (_gate)
        {
            if (_hold != hold)
            {
                return;
            }

            var held = _held!;
            _held = null;
            _heldBytes = 0;
            startPump = false;
            foreach (var message in held)
            {
                if (_discarding || drop(message.Bytes.AsMemory(0, message.Length)))
                {
                    ArrayPool<byte>.Shared.Return(message.Bytes);
                    continue;
                }

                (_queue ??= new Queue<BufferedMessage>()).Enqueue(message);
                _queuedBytes += message.Length;
            }

            if (!_discarding)
            {
                // Everything that passed has been written or queued; what was held goes behind it, and so does every
                // later send, which sees _pumping before it sees the hold gone.
                startPump = !_pumping;
                _pumping = true;
            }

            _hold = null;
        }

        if (startPump)
        {
            _ = PumpAsync(default, buffering: false);
        }
    }

    private ValueTask<FlushResult> HoldBack(byte[] message, int length)
    {
        var overflowBytes = 0L;
        var released = false;
        lock (_gate)
        {
            if (_discarding)
            {
                ArrayPool<byte>.Shared.Return(message);
                return Closed;
            }

            if (_held is null)
            {
                released = true;
            }
            else
            {
                _heldBytes += length;
                overflowBytes = OverflowLocked(message);
                if (overflowBytes == 0)
                {
                    _held.Add(new BufferedMessage(message, length));
                }
            }
        }

        if (released)
        {
            // Released since this message began: it queues behind what the hold let out.
            return Enqueue(message, length);
        }

        return overflowBytes > 0 ? Overflowed(overflowBytes) : Accepted;
    }

    private byte[] MessageBuffer(int sizeHint) => PooledMessageBuffer.Ensure(ref _message, _messageLength, sizeHint);

    private ValueTask<FlushResult> Through(ValueTask<FlushResult> flush)
    {
        if (flush.IsCompleted)
        {
            return flush;
        }

        // The transport is full: from now on this connection's messages queue here, and the pump waits for the
        // transport instead of SignalR's group send.
        _pumping = true;
        _monitor.BufferingStarted(_connection.ConnectionId);
        _ = PumpAsync(flush, buffering: true);
        return Accepted;
    }

    /// <summary>Flushes what a run of <see cref="DeferredFlushes"/> wrote, then hands over what others queued meanwhile.</summary>
    public void ReleaseHeld()
    {
        _holder = null;
        _ = PumpAsync(default, buffering: false, flushFirst: true);
    }

    /// <summary>True when <paramref name="run"/> holds this connection's transport, taking it when it is free.</summary>
    private bool TryHold(DeferredFlushes run)
    {
        if (_holder == run)
        {
            return true;
        }

        lock (_gate)
        {
            // A transport that is being pumped or closed stays with its pump; the run's messages queue behind.
            if (_pumping || _discarding)
            {
                return false;
            }

            // Like the pump, the holder is the only party that touches the transport while pumping is set.
            _pumping = true;
            _holder = run;
        }

        run.Hold(this);
        return true;
    }

    private ValueTask<FlushResult> Enqueue(byte[] message, int length)
    {
        var overflowBytes = 0L;
        var startPump = false;
        lock (_gate)
        {
            if (_discarding)
            {
                ArrayPool<byte>.Shared.Return(message);
                return Closed;
            }

            _queuedBytes += length;
            overflowBytes = OverflowLocked(message);
            if (overflowBytes == 0)
            {
                (_queue ??= new Queue<BufferedMessage>()).Enqueue(new BufferedMessage(message, length));
                startPump = !_pumping;
                _pumping = true;
            }
        }

        if (overflowBytes > 0)
        {
            return Overflowed(overflowBytes);
        }

        if (startPump)
        {
            // The pump counts the connection as buffering only if the transport turns out to be full.
            _ = PumpAsync(default, buffering: false);
        }

        return Accepted;
    }

    /// <summary>
    /// Over the bound with <paramref name="message"/> counted: discards it and everything waiting, and returns the bytes
    /// that were waiting; 0 when within the bound.
    /// </summary>
    private long OverflowLocked(byte[] message)
    {
        var waiting = _queuedBytes + _heldBytes;
        if (waiting <= _maxBufferedBytes)
        {
            return 0;
        }

        _discarding = true;
        ArrayPool<byte>.Shared.Return(message);
        // Safe under the lock: the waiter's continuations run asynchronously.
        DropQueueLocked()?.TrySetResult();
        return waiting;
    }

    private ValueTask<FlushResult> Overflowed(long overflowBytes)
    {
        _monitor.Disconnected(_connection.ConnectionId, overflowBytes, _maxBufferedBytes);
        _connection.Abort(new ConnectionAbortedException(
            $"Slow consumer: more than {_maxBufferedBytes} bytes waiting for a client that is not reading."));
        return Closed;
    }

    private async Task PumpAsync(ValueTask<FlushResult> pending, bool buffering, bool flushFirst = false)
    {
        bool completeTransport;
        Exception? completeException;
        try
        {
            var result = await pending.ConfigureAwait(false);
            while (!result.IsCompleted && !result.IsCanceled && (flushFirst || HandOver()))
            {
                flushFirst = false;
                var flush = _transport.FlushAsync();
                if (!buffering && !flush.IsCompleted)
                {
                    buffering = true;
                    _monitor.BufferingStarted(_connection.ConnectionId);
                }

                result = await flush.ConfigureAwait(false);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                // The transport is gone or shutting down: nothing queued can reach the client any more.
                StopPumping(discard: true);
            }
        }
#pragma warning disable CA1031 // A failed transport ends delivery to this connection only; SignalR sees it on its next write.
        catch (Exception)
#pragma warning restore CA1031
        {
            StopPumping(discard: true);
        }
        finally
        {
            if (buffering)
            {
                _monitor.BufferingEnded();
            }

            lock (_gate)
            {
                completeTransport = _completeRequested;
                completeException = _completeException;
                _completeRequested = false;
            }
        }

        if (completeTransport)
        {
            _transport.Complete(completeException);
        }
    }

    /// <summary>Writes everything queued to the transport; false (and no longer pumping) when there was nothing.</summary>
    private bool HandOver()
    {
        var wrote = false;
        while (true)
        {
            BufferedMessage message;
            TaskCompletionSource? room;
            lock (_gate)
            {
                if ((_discarding && !_completeRequested) || _queue is null || !_queue.TryDequeue(out message))
                {
                    if (!wrote)
                    {
                        _pumping = false;
                    }

                    return wrote;
                }

                _queuedBytes -= message.Length;
                room = _room.TakeIf(HasRoomLocked);
            }

            room?.TrySetResult();

            _transport.Write(message.Bytes.AsSpan(0, message.Length));
            ArrayPool<byte>.Shared.Return(message.Bytes);
            wrote = true;
        }
    }

    private void StopPumping(bool discard)
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            _discarding |= discard;
            room = DropQueueLocked();
            _pumping = false;
        }

        room?.TrySetResult();
    }

    /// <summary>Discards what waits; returns the room waiter, to be told outside the lock.</summary>
    private TaskCompletionSource? DropQueueLocked()
    {
        if (_queue is not null)
        {
            while (_queue.TryDequeue(out var dropped))
            {
                ArrayPool<byte>.Shared.Return(dropped.Bytes);
            }
        }

        _queuedBytes = 0;
        if (_held is not null)
        {
            foreach (var dropped in _held)
            {
                ArrayPool<byte>.Shared.Return(dropped.Bytes);
            }

            _held.Clear();
            _heldBytes = 0;
        }

        return _room.TakeIf(hasRoom: true);
    }

    private void ReturnMessageBuffer()
    {
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null;
        }
    }

    private readonly record struct BufferedMessage(byte[] Bytes, int Length);
}
