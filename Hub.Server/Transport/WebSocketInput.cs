using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Threading.Tasks.Sources;

namespace Hub.Server.Transport;

/// <summary>
/// What SignalR's <c>HubConnectionHandler</c> reads a connection's input from: each read that needs more data receives
/// it from the WebSocket straight into one rented buffer, so there is no pipe and no receive loop of its own, and the
/// buffer goes back to the pool whenever SignalR has consumed everything. An idle connection waits in a zero-byte
/// receive and holds no buffer.
/// </summary>
/// <remarks>
/// One reader at a time, as for any <see cref="PipeReader"/>. <see cref="CancelPendingRead"/> (SignalR's abort and
/// handshake timeout) completes a pending read as cancelled without touching the socket: the receive it was waiting
/// for stays outstanding and the next read picks up what it received. The input ends (reads report completed) when the
/// client closes or the socket fails, and then <c>connectionClosed</c> is cancelled.
/// </remarks>
internal sealed class WebSocketInput(WebSocket socket, CancellationTokenSource connectionClosed) : PipeReader, IValueTaskSource<ReadResult>
{
    private const int MinimumBufferLength = 4096;

    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<ReadResult> _pending = new() { RunContinuationsAsynchronously = true };

    // Guarded by _gate. Data SignalR has not consumed is _buffer[_start.._end).
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _examinedAll;
    private bool _ended;
    private bool _completed;
    private bool _receiving;
    private bool _reading;
    private bool _cancelNext;
    private CancellationTokenRegistration _cancellation;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        }

        lock (_gate)
        {
            if (_cancelNext)
            {
                _cancelNext = false;
                return new ValueTask<ReadResult>(ResultLocked(canceled: true));
            }

            if ((_end > _start && !_examinedAll) || _ended)
            {
                return new ValueTask<ReadResult>(ResultLocked(canceled: false));
            }

            _reading = true;
            _pending.Reset();
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((WebSocketInput)state!).Cancel(token), this);
            }

            if (!_receiving)
            {
                _receiving = true;
                _ = ReceiveAsync();
            }

            return new ValueTask<ReadResult>(this, _pending.Version);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        lock (_gate)
        {
            if (_cancelNext || (_end > _start && !_examinedAll) || _ended)
            {
                result = ResultLocked(canceled: _cancelNext);
                _cancelNext = false;
                return true;
            }

            result = default;
            return false;
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (_gate)
        {
            if (_buffer is null)
            {
                return;
            }

            // A position from an earlier, empty result (before the buffer was rented) moves nothing.
            if (consumed.GetObject() == _buffer)
            {
                _start = consumed.GetInteger();
            }

            _examinedAll = (examined.GetObject() == _buffer ? examined.GetInteger() : _start) >= _end;
            if (_start == _end && !_receiving)
            {
                ReturnBufferLocked();
            }
        }
    }

    public override void CancelPendingRead()
    {
        lock (_gate)
        {
            if (!_reading)
            {
                _cancelNext = true;
                return;
            }

            CompleteReadLocked(ResultLocked(canceled: true));
        }
    }

    public override void Complete(Exception? exception = null)
    {
        lock (_gate)
        {
            _completed = true;
            if (!_receiving)
            {
                ReturnBufferLocked();
            }
        }
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _pending.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _pending.OnCompleted(continuation, state, token, flags);

    private async Task ReceiveAsync()
    {
        var ended = false;
        var received = 0;
        try
        {
            Memory<byte> space;
            lock (_gate)
            {
                space = _buffer is null ? Memory<byte>.Empty : SpaceLocked();
            }

            if (space.IsEmpty)
            {
                // Nothing is buffered: wait for data before renting a buffer.
                var ready = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                ended = ready.MessageType == WebSocketMessageType.Close;
                if (!ended)
                {
                    lock (_gate)
                    {
                        space = SpaceLocked();
                    }
                }
            }

            if (!ended)
            {
                var result = await socket.ReceiveAsync(space, CancellationToken.None).ConfigureAwait(false);
                ended = result.MessageType == WebSocketMessageType.Close;
                received = result.Count;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            // The client went away without a close frame: for SignalR that is the end of its input, as a close is.
            ended = true;
        }

        Received(received, ended);
    }

    private void Received(int count, bool ended)
    {
        lock (_gate)
        {
            _receiving = false;
            _end += count;
            if (count > 0)
            {
                _examinedAll = false;
            }

            _ended |= ended;
            if (_completed)
            {
                ReturnBufferLocked();
            }

            if (_reading)
            {
                CompleteReadLocked(ResultLocked(canceled: false));
            }
        }

        if (ended)
        {
            // Its callbacks (SignalR's) run on the thread pool, not on the socket's completion.
            _ = connectionClosed.CancelAsync();
        }
    }

    /// <summary>Free space after the buffered data: the buffer rented, compacted or grown as needed.</summary>
    private Memory<byte> SpaceLocked()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(MinimumBufferLength);
        }
        else if (_end == _buffer.Length)
        {
            var target = _start > 0 ? _buffer : ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (target != _buffer)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _end -= _start;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>A read's token was cancelled: as for a pipe, the read throws.</summary>
    private void Cancel(CancellationToken token)
    {
        lock (_gate)
        {
            if (_reading)
            {
                _reading = false;
                _cancellation = default;
                _pending.SetException(new OperationCanceledException(token));
            }
        }
    }

    private void CompleteReadLocked(ReadResult result)
    {
        _reading = false;
        // Unregister, not Dispose: Dispose waits for a running callback, which waits for this lock.
        _cancellation.Unregister();
        _cancellation = default;
        _pending.SetResult(result);
    }

    private ReadResult ResultLocked(bool canceled)
    {
        var data = _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
        return new ReadResult(data, canceled, isCompleted: _ended && !canceled);
    }

    private void ReturnBufferLocked()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = 0;
            _end = 0;
        }
    }
}
