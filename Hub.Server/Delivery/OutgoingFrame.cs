using System.Buffers;

namespace Hub.Server.Delivery;

/// <summary>
/// One or more whole WebSocket frames on their way to a connection's socket. A broadcast frame is shared by every
/// recipient and never returned; a copy or a batch is rented from the shared pool and returned once written.
/// </summary>
internal readonly struct OutgoingFrame
{
    private OutgoingFrame(byte[] buffer, int length, int headerLength, bool rented)
    {
        Buffer = buffer;
        Length = length;
        HeaderLength = headerLength;
        Rented = rented;
    }

    public byte[] Buffer { get; }

    public int Length { get; }

    /// <summary>Where the payload of a single frame starts (what a <see cref="DeliveryHold"/>'s filter looks at).</summary>
    public int HeaderLength { get; }

    public bool Rented { get; }

    public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, Length);

    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(HeaderLength, Length - HeaderLength);

    /// <summary>A frame shared by every recipient, written as it is.</summary>
    public static OutgoingFrame Shared(byte[] frame, int headerLength) => new(frame, frame.Length, headerLength, rented: false);

    /// <summary>A copy of <paramref name="frame"/>, which its owner reuses as soon as the write returns.</summary>
    public static OutgoingFrame CopyOf(ReadOnlySpan<byte> frame)
    {
        var copy = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(copy);
        return new OutgoingFrame(copy, frame.Length, WebSocketFrames.HeaderLength(frame), rented: true);
    }

    /// <summary>A rented buffer holding several frames back to back.</summary>
    public static OutgoingFrame Batch(byte[] rented, int length) => new(rented, length, 0, rented: true);

    public void Return()
    {
        if (Rented)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
