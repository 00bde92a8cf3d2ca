using System.Buffers.Binary;
using Microsoft.AspNetCore.Connections;

namespace Hub.Server.Delivery;

/// <summary>
/// Server-to-client WebSocket frames (RFC 6455 §5.2). The server never masks, so a frame built once is valid for
/// every recipient: this is what lets a broadcast be framed once instead of once per connection.
/// </summary>
internal static class WebSocketFrames
{
    private const byte Final = 0x80;
    private const byte TextOpcode = 0x1;
    private const byte BinaryOpcode = 0x2;

    /// <summary>One final, unfragmented data frame carrying <paramref name="payload"/>.</summary>
    public static OutgoingFrame DataFrame(ReadOnlySpan<byte> payload, TransferFormat format)
    {
        var headerLength = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[headerLength + payload.Length];
        frame[0] = (byte)(Final | (format == TransferFormat.Binary ? BinaryOpcode : TextOpcode));
        switch (headerLength)
        {
            case 2:
                frame[1] = (byte)payload.Length;
                break;
            case 4:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }

        payload.CopyTo(frame.AsSpan(headerLength));
        return OutgoingFrame.Shared(frame, headerLength);
    }

    /// <summary>The length of the header of the unmasked frame that starts <paramref name="frame"/>.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 2)
        {
            return frame.Length;
        }

        var length = frame[1] & 0x7F;
        var header = length == 126 ? 4 : length == 127 ? 10 : 2;
        // Masked frames come only from clients; counted anyway so that a payload offset is never wrong.
        return Math.Min(frame.Length, (frame[1] & 0x80) != 0 ? header + 4 : header);
    }
}
