namespace Hub.Server.Delivery;

/// <summary>
/// Who writes a connection's socket next, and what waits for it: the write lock of a <see cref="ConnectionWriter"/>.
/// </summary>
/// <remarks>
/// The lock is <see cref="_writing"/>: whoever sets it (under <see cref="_gate"/>) owns the socket until
/// <see cref="TryTakeNext"/> finds nothing more to write and clears it. A frame that arrives meanwhile waits in the
/// <see cref="OutgoingFrameQueue"/>, or in the <see cref="HeldFrames"/> of an active <see cref="DeliveryHold"/>.
/// While the delivery queue sends a run of envelopes (<see cref="DeferredFlushes"/>), a free socket is not taken
/// either: the run's frames wait and go out together when the run ends (<see cref="ReleaseRun"/>).
/// Nothing here writes to the socket or waits, so <see cref="_gate"/> is never held across a write.
/// </remarks>
internal sealed class ConnectionWriterGate(SlowConsumerPolicy policy, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly OutgoingFrameQueue _queue = new();
    private HeldFrames? _held;
    private bool _writing;
    private bool _closed;
    private bool _inRun;
    private long _lastProgress;
    private TaskCompletionSource? _drained;
    private RoomSignal _room;

    /// <summary>What a frame handed to the writer does next.</summary>
    public enum Turn
    {
        /// <summary>The caller owns the socket now and writes the frame itself.</summary>
        Write,

        /// <summary>The frame waits behind the socket's owner, or is held.</summary>
        Wait,

        /// <summary>The writer is closed: the frame is dropped.</summary>
        Closed,
    }

    public long WaitingBytes
    {
        get
        {
            lock (_gate)
            {
                return WaitingLocked;
            }
        }
    }

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

    private long WaitingLocked => _queue.Bytes + (_held?.Bytes ?? 0);

    private bool HasRoomLocked => _closed || _queue.Bytes <= policy.MaxBufferedBytes / 2;

    private bool HoldsLocked => _held is { Holds: true };

    /// <summary>
    /// Hands over a broadcast frame, shared and never changed: <see cref="Turn.Write"/> when the socket is free, else
    /// the frame waits as it is, and a slow consumer found by that is closed and returned in <paramref name="breach"/>.
    /// A frame sent inside a run the writer has not joined yet waits for it: the caller joins the run
    /// (<paramref name="joined"/>) outside the lock, because a run's release takes its own lock first and then this one.
    /// </summary>
    public Turn Take(OutgoingFrame frame, out SlowConsumerBreach? breach, out DeferredFlushes? joined)
    {
        lock (_gate)
        {
            var turn = TurnLocked(out joined);
            breach = turn == Turn.Wait ? WaitLocked(frame) : null;
            return turn;
        }
    }

    /// <summary>As <see cref="Take(OutgoingFrame, out SlowConsumerBreach?, out DeferredFlushes?)"/> for a frame its owner reuses: a copy waits.</summary>
    public Turn Take(ReadOnlySpan<byte> frame, out SlowConsumerBreach? breach, out DeferredFlushes? joined)
    {
        lock (_gate)
        {
            var turn = TurnLocked(out joined);
            breach = turn == Turn.Wait ? WaitLocked(OutgoingFrame.CopyOf(frame)) : null;
            return turn;
        }
    }

    /// <summary>After the owner's write completed: the next frame or batch to write, or false and the socket is free.</summary>
    public bool TryTakeNext(out OutgoingFrame next)
    {
        WriterWaiters waiters;
        bool taken;
        next = default;
        lock (_gate)
        {
            _lastProgress = time.GetTimestamp();
            taken = !_closed && _queue.TryDequeue(out next);
            TaskCompletionSource? drained = null;
            if (!taken)
            {
                _writing = false;
                if (_closed || (_held?.Bytes ?? 0) == 0)
                {
                    drained = TakeDrainedLocked();
                }
            }

            waiters = new WriterWaiters(drained, _room.TakeIf(HasRoomLocked));
        }

        waiters.Set();
        return taken;
    }

    /// <summary>Completes when nothing waits and no write is in progress, or the writer closed.</summary>
    public Task DrainedAsync()
    {
        lock (_gate)
        {
            if (_closed || (!_writing && (_held?.Bytes ?? 0) == 0 && !(_inRun && _queue.Bytes > 0)))
            {
                return Task.CompletedTask;
            }

            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public Task RoomAsync()
    {
        lock (_gate)
        {
            return _room.Wait(HasRoomLocked);
        }
    }

    /// <summary>Closes: what waits is discarded and later frames are dropped. False when closed already.</summary>
    public bool Close()
    {
        WriterWaiters waiters;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            waiters = CloseLocked();
        }

        waiters.Set();
        return true;
    }

    /// <summary>The slow-consumer rule applied to what waits now, for a connection nothing was sent to lately.</summary>
    public SlowConsumerBreach? CheckProgress()
    {
        lock (_gate)
        {
            return _closed ? null : CheckLocked();
        }
    }

    public DeliveryHold Hold(IHeldWriter writer)
    {
        lock (_gate)
        {
            var hold = DeliveryHold.Begin(_held?.Hold, writer);
            _held = new HeldFrames(hold);
            return hold;
        }
    }

    /// <summary>
    /// Ends <paramref name="hold"/> (see <see cref="DeliveryHold.Release"/>): true with the frame to write when the
    /// caller now owns the socket.
    /// </summary>
    public bool Release(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop, out OutgoingFrame next)
    {
        next = default;
        TaskCompletionSource? drained = null;
        var owns = false;
        lock (_gate)
        {
            if (_held is not { } held || held.Hold != hold)
            {
                return false;
            }

            held.ReleaseInto(_queue, drop, discardAll: _closed);
            _held = null;
            if (!_writing && !_closed && _queue.TryDequeue(out next))
            {
                _writing = owns = true;
                _lastProgress = time.GetTimestamp();
            }
            else if (!_writing)
            {
                drained = TakeDrainedLocked();
            }
        }

        drained?.TrySetResult();
        return owns;
    }

    private Turn TurnLocked(out DeferredFlushes? joined)
    {
        joined = null;
        if (_closed)
        {
            return Turn.Closed;
        }

        // Behind a run's frames, not ahead of them: the connection's own frames keep their order with broadcasts.
        if (_writing || HoldsLocked || _inRun)
        {
            return Turn.Wait;
        }

        if (DeferredFlushes.Current is { } run)
        {
            _inRun = true;
            joined = run;
            return Turn.Wait;
        }

        _writing = true;
        _lastProgress = time.GetTimestamp();
        return Turn.Write;
    }

    /// <summary>The run ended: true with the frame (or batch) to write when the caller now owns the socket.</summary>
    public bool ReleaseRun(out OutgoingFrame next)
    {
        next = default;
        lock (_gate)
        {
            _inRun = false;
            if (_closed || _writing || !_queue.TryDequeue(out next))
            {
                return false;
            }

            _writing = true;
            _lastProgress = time.GetTimestamp();
            return true;
        }
    }

    private SlowConsumerBreach? WaitLocked(OutgoingFrame frame)
    {
        if (HoldsLocked)
        {
            _held!.Add(frame);
            ShedIfFullLocked(_held);
        }
        else
        {
            _queue.Enqueue(frame);
        }

        return CheckLocked();
    }

    /// <summary>
    /// Past half the bound, a hold whose owner said which of its messages it delivers anyway sheds them, so that a
    /// client that reads is not disconnected for what a long replay kept back.
    /// </summary>
    private void ShedIfFullLocked(HeldFrames held)
    {
        if (held.Bytes > policy.MaxBufferedBytes / 2 && held.Hold.Shed is { } shed && held.Shed(shed, held.Hold.ShedGeneration) > 0)
        {
            held.Hold.Shedded();
        }
    }

    private SlowConsumerBreach? CheckLocked()
    {
        var waiting = WaitingLocked;
        if (policy.Breach(waiting, _writing, time.GetElapsedTime(_lastProgress)) is not { } reason)
        {
            return null;
        }

        return new SlowConsumerBreach(waiting, reason, CloseLocked());
    }

    private WriterWaiters CloseLocked()
    {
        _closed = true;
        _queue.Clear();
        _held?.Clear();
        return new WriterWaiters(TakeDrainedLocked(), _room.TakeIf(hasRoom: true));
    }

    private TaskCompletionSource? TakeDrainedLocked()
    {
        var drained = _drained;
        _drained = null;
        return drained;
    }
}
