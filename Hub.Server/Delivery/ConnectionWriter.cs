using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hub.Server.Delivery;

/// <summary>
/// The one writer of a WebSocket connection's socket: broadcast frames from the fan-out, and every frame the
/// connection's own <see cref="System.Net.WebSockets.WebSocket"/> sends (SignalR's replies, pings, the close frame),
/// in the order they were handed over.
/// </summary>
/// <remarks>
/// <para>
/// Who writes next is the <see cref="ConnectionWriterGate"/>'s: the party it gives the socket writes its frame, then
/// whatever queued behind it meanwhile, as one batch per write, until nothing waits. So a writer that keeps up writes
/// each shared broadcast frame straight to the socket, without a copy, a task or a wake-up, and a backlog costs one
/// write per batch instead of one per message. While the delivery queue sends a run of envelopes
/// (<see cref="DeferredFlushes"/>), the run's frames wait and go out together when the run ends, so a backlog costs
/// one write per connection and run even when every write would complete at once.
/// </para>
/// <para>
/// Slow consumers are judged by progress (<see cref="SlowConsumerPolicy"/>): a connection is disconnected when more
/// than the bound waits for it and no write has completed for the policy's timeout, or when what waits reaches the
/// hard cap. A burst larger than the bound sent to a client that keeps reading is not slow.
/// </para>
/// </remarks>
public sealed class ConnectionWriter : IDeliveryHoldFeature, IHeldWriter, IRunWriter
{
    private readonly ConnectionWriterGate _gate;
    private readonly Stream _socket;
    private readonly SlowConsumerPolicy _policy;
    private readonly SlowConsumerMonitor _monitor;

    // How a slow consumer is disconnected: its connection aborted, or the creator's callback.
    private readonly ConnectionContext? _connection;
    private readonly Action<ConnectionWriter, string>? _disconnect;

    /// <summary>Creates the writer of <paramref name="connectionId"/>'s socket.</summary>
    /// <param name="connectionId">The connection's id, for logs.</param>
    /// <param name="socket">The upgraded connection's stream; only this writer writes to it.</param>
    /// <param name="policy">When the connection counts as a slow consumer.</param>
    /// <param name="monitor">Counts buffering and disconnected connections.</param>
    /// <param name="time">The clock progress is measured with.</param>
    /// <param name="disconnect">Aborts the connection, with the reason; called at most once, outside the writer's lock.</param>
    public ConnectionWriter(
        string connectionId, Stream socket, SlowConsumerPolicy policy, SlowConsumerMonitor monitor, TimeProvider time, Action<ConnectionWriter, string> disconnect)
        : this(connectionId, socket, policy, monitor, time)
    {
        _disconnect = disconnect;
    }

    /// <summary>
    /// Creates the writer of <paramref name="connection"/>'s socket, which aborts the connection to disconnect a slow
    /// consumer: no callback to allocate per connection.
    /// </summary>
    internal ConnectionWriter(ConnectionContext connection, Stream socket, SlowConsumerPolicy policy, SlowConsumerMonitor monitor, TimeProvider time)
        : this(connection.ConnectionId, socket, policy, monitor, time)
    {
        _connection = connection;
    }

    private ConnectionWriter(string connectionId, Stream socket, SlowConsumerPolicy policy, SlowConsumerMonitor monitor, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ConnectionId = connectionId;
        _socket = socket;
        _policy = policy;
        _monitor = monitor;
        _gate = new ConnectionWriterGate(policy, time);
    }

    /// <summary>The connection's id.</summary>
    public string ConnectionId { get; }

    /// <summary>The hub protocol the connection speaks, known once its handshake is done; broadcast frames are built per protocol.</summary>
    public IHubProtocol? Protocol { get; set; }

    /// <summary>Bytes waiting for the socket now, held ones included.</summary>
    public long WaitingBytes => _gate.WaitingBytes;

    /// <summary>True while at most half of the connection's bound is queued for it, and once it is closing.</summary>
    public bool HasRoom => _gate.HasRoom;

    /// <summary>
    /// Sends a broadcast frame shared with other connections. Never waits: the frame is written now when the socket
    /// is free, and otherwise queued behind what is being written (or held, or dropped once the connection closed).
    /// </summary>
    internal void Send(OutgoingFrame frame)
    {
        var turn = _gate.Take(frame, out var breach, out var joined);
        joined?.Hold(this);
        switch (turn)
        {
            case ConnectionWriterGate.Turn.Write:
                Pump(frame);
                break;
            case ConnectionWriterGate.Turn.Wait when breach is not null:
                DisconnectLater(breach);
                break;
        }
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
        var turn = _gate.Take(frame.Span, out var breach, out var joined);
        joined?.Hold(this);
        if (breach is not null)
        {
            DisconnectLater(breach);
        }

        if (turn != ConnectionWriterGate.Turn.Write)
        {
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
        else if (_gate.TryTakeNext(out var next))
        {
            Pump(next);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Completes when nothing waits for the socket and no write is in progress, or the writer closed.</summary>
    public Task DrainedAsync() => _gate.DrainedAsync();

    /// <summary>Stops writing: what waits is discarded and later frames are dropped quietly.</summary>
    public void Close() => _gate.Close();

    /// <summary>
    /// Disconnects the connection when it has made no progress for the policy's timeout with more than the bound
    /// waiting; called by the heartbeat, so that a client that stops reading is found without another send.
    /// </summary>
    public void CheckProgress()
    {
        if (_gate.CheckProgress() is { } breach)
        {
            DisconnectLater(breach);
        }
    }

    /// <inheritdoc />
    public DeliveryHold Hold() => _gate.Hold(this);

    /// <inheritdoc />
    Task IHeldWriter.RoomAsync() => _gate.RoomAsync();

    /// <inheritdoc />
    void IHeldWriter.ReleaseHold(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        if (_gate.Release(hold, drop, out var next))
        {
            Pump(next);
        }
    }

    /// <inheritdoc />
    void IRunWriter.ReleaseHeld()
    {
        if (_gate.ReleaseRun(out var next))
        {
            Pump(next);
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
            if (!_gate.TryTakeNext(out frame))
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

                if (!_gate.TryTakeNext(out frame))
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

    /// <summary>Disconnects a slow consumer off the caller's thread: the caller may be the fan-out, or SignalR's send.</summary>
    private void DisconnectLater(SlowConsumerBreach breach)
    {
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                var (writer, breach) = state;
                writer._monitor.Disconnected(writer.ConnectionId, breach.WaitingBytes, writer._policy.MaxBufferedBytes);
                breach.Waiters.Set();
                if (writer._connection is { } connection)
                {
                    connection.Abort(new ConnectionAbortedException(breach.Reason));
                }
                else
                {
                    writer._disconnect!(writer, breach.Reason);
                }
            },
            (this, breach),
            preferLocal: false);
    }
}
