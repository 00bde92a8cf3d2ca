namespace Hub.Server.Delivery;

/// <summary>
/// The frames a <see cref="DeliveryHold"/> keeps back from one connection's socket, in the order they were sent. Not
/// thread-safe: its <see cref="ConnectionWriter"/> guards it.
/// </summary>
internal sealed class HeldFrames(DeliveryHold hold)
{
    private readonly List<OutgoingFrame> _frames = [];

    // The first frames of _frames the shed predicate of generation _examinedGeneration refused: a shedding looks only
    // at what came after them, so a hold that stays full of what it may not shed costs one look per frame, not one
    // look at every held frame for each frame added.
    private int _examined;
    private int _examinedGeneration;

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
        _examined = 0;
    }

    /// <summary>
    /// Discards the held frames <paramref name="shed"/> (given a frame's payload) is true for; returns how many. Frames
    /// a predicate of the same <paramref name="generation"/> refused before are not looked at again.
    /// </summary>
    public int Shed(Func<ReadOnlyMemory<byte>, bool> shed, int generation)
    {
        var kept = generation == _examinedGeneration ? _examined : 0;
        for (var i = kept; i < _frames.Count; i++)
        {
            var frame = _frames[i];
            if (shed(frame.Payload))
            {
                Bytes -= frame.Length;
                frame.Return();
            }
            else
            {
                _frames[kept++] = frame;
            }
        }

        var shedCount = _frames.Count - kept;
        _frames.RemoveRange(kept, shedCount);
        _examined = kept;
        _examinedGeneration = generation;
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
        _examined = 0;
    }
}
