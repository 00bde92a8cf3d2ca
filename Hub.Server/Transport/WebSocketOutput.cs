using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Hub.Server.Transport;

/// <summary>
/// What SignalR's <c>HubConnectionContext</c> writes to: each flush is one WebSocket message, sent at once (no pipe,
/// no send loop). SignalR serializes its writes on a connection, so there is one writer at a time. Once the
/// connection is closed, writes are dropped quietly and report the output completed.
/// </summary>
internal sealed class WebSocketOutput(WebSocket socket, ITransferFormatFeature format) : PipeWriter
{
    private static readonly FlushResult Open = new(isCanceled: false, isCompleted: false);
    private static readonly FlushResult Closed = new(isCanceled: false, isCompleted: true);

    private byte[]? _buffer;
    private int _length;
    private volatile bool _completed;

    public override void Advance(int bytes) => _length += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_length);

    public override Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_length);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_length == 0)
        {
            return _completed ? Closed : Open;
        }

        // The message buffer goes back to the pool after every message: an idle connection holds none.
        var buffer = _buffer!;
        var length = _length;
        _buffer = null;
        _length = 0;
        try
        {
            return await SendAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The path of SignalR's pre-serialized messages (group sends through a backplane, sends to a connection).</summary>
    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (_length > 0)
        {
            this.Write(source.Span);
            return FlushAsync(cancellationToken);
        }

        return SendAsync(source);
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _length = 0;
        }
    }

    private async ValueTask<FlushResult> SendAsync(ReadOnlyMemory<byte> message)
    {
        if (_completed || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return Closed;
        }

        try
        {
            var type = format.ActiveFormat == TransferFormat.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
            await socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return Open;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is gone; its receive loop ends it. Nothing to tell SignalR but that the output is done.
            _completed = true;
            return Closed;
        }
    }

    private byte[] Ensure(int sizeHint) => PooledMessageBuffer.Ensure(ref _buffer, _length, sizeHint);
}
