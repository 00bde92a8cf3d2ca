using System.Buffers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Hub.Server.Transport;

/// <summary>
/// An upgraded connection's stream whose writes go straight to the connection's socket, bypassing Kestrel's output
/// pipe and its send loop: a frame that fits in the socket's send buffer costs one <c>send</c> on the writer's own
/// thread, with no copy, no pipe flush and no wake-up. Only what the socket cannot take at once is copied and sent
/// asynchronously. Reads come from the upgraded stream as before.
/// </summary>
/// <remarks>
/// Safe only because nothing else writes the socket once the connection is upgraded: Kestrel has sent its 101 answer
/// before the client sends anything the hub answers, and the connection's <see cref="Delivery.ConnectionWriter"/>
/// writes one frame at a time. A connection over TLS keeps Kestrel's stream: its bytes must go through TLS.
/// </remarks>
internal sealed class SocketOutputStream : UpgradedConnectionStream
{
    private readonly Socket _socket;

    private SocketOutputStream(Stream upgraded, Socket socket)
        : base(upgraded)
    {
        _socket = socket;
    }

    /// <summary>
    /// The stream that writes <paramref name="context"/>'s socket directly, or <paramref name="upgraded"/> itself when
    /// the connection has no plain socket of Kestrel's (TLS, another transport, a test server).
    /// </summary>
    public static Stream For(HttpContext context, Stream upgraded)
    {
        if (context.Request.IsHttps
            || context.Features.Get<ITlsHandshakeFeature>() is not null
            || context.Features.Get<IConnectionSocketFeature>()?.Socket is not { SocketType: SocketType.Stream } socket)
        {
            return upgraded;
        }

        // A send the socket cannot complete at once must return instead of waiting for the client: the fan-out's
        // thread writes to every recipient in turn. Kestrel's own reads are asynchronous and not affected.
        socket.Blocking = false;
        return new SocketOutputStream(upgraded, socket);
    }

    /// <summary>
    /// Sends <paramref name="buffer"/>: at once as far as the socket takes it, the rest copied (so the caller may
    /// reuse <paramref name="buffer"/> as soon as this returns) and sent when the socket has room.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var rest = buffer.Span;
        while (!rest.IsEmpty)
        {
            var sent = _socket.Send(rest, SocketFlags.None, out var error);
            switch (error)
            {
                case SocketError.Success:
                    rest = rest[sent..];
                    break;
                case SocketError.WouldBlock:
                    return SendLaterAsync(rest, cancellationToken);
                case SocketError.Interrupted:
                    break;
                default:
                    throw new IOException($"The connection's socket failed to send: {error}.", new SocketException((int)error));
            }
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask SendLaterAsync(ReadOnlySpan<byte> rest, CancellationToken cancellationToken)
    {
        var copy = ArrayPool<byte>.Shared.Rent(rest.Length);
        rest.CopyTo(copy);
        return SendCopyAsync(copy, rest.Length, cancellationToken);
    }

    private async ValueTask SendCopyAsync(byte[] copy, int length, CancellationToken cancellationToken)
    {
        try
        {
            var offset = 0;
            while (offset < length)
            {
                offset += await _socket.SendAsync(copy.AsMemory(offset, length - offset), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
