namespace Hub.Server.Delivery;

/// <summary>
/// The frames a <see cref="DeliveryHold"/> keeps back from one connection's socket, in the order they were sent. Not
/// thread-safe: its <see cref="ConnectionWriter"/> guards it.
/// </summary>
internal sealed class HeldFrames(DeliveryHold hold)
{
    private readonly List<OutgoingFrame> _frames = [];

    public DeliveryHold Hold { get; } = hold;

    /// <summary>The bytes held.</summary>
    public long Bytes { get; private set; }

    /// <summary>True when a send on the current flow is held: it is not inside the hold's pass scope.</summary>
    public bool Holds => DeliveryHold.Current != Hold;

    public void Add(OutgoingFrame frame)
    {
        _frames.Add(frame);
        Bytes += frame.Length;
    }

    /// <summary>
    /// Moves the held frames into <paramref name="queue"/>, discarding those <paramref name="drop"/> (given a frame's
    /// payload, one hub message) is true for, and all of them when <paramref name="discardAll"/>.
    /// </summary>
    public void ReleaseInto(OutgoingFrameQueue queue, Func<ReadOnlyMemory<byte>, bool> drop, bool discardAll)
    {
        foreach (var frame in _frames)
        {
            if (discardAll || drop(frame.Payload))
            {
                frame.Return();
            }
            else
            {
                queue.Enqueue(frame);
            }
        }

        _frames.Clear();
        Bytes = 0;
    }

    /// <summary>Discards the held frames <paramref name="shed"/> (given a frame's payload) is true for; returns how many.</summary>
    public int Shed(Func<ReadOnlyMemory<byte>, bool> shed)
    {
        var shedCount = 0;
        _frames.RemoveAll(frame =>
        {
            if (!shed(frame.Payload))
            {
                return false;
            }

            Bytes -= frame.Length;
            frame.Return();
            shedCount++;
            return true;
        });
        return shedCount;
    }

    /// <summary>Discards every held frame.</summary>
    public void Clear()
    {
        foreach (var frame in _frames)
        {
            frame.Return();
        }

        _frames.Clear();
        Bytes = 0;
    }
}
