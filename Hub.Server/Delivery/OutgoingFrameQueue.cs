using System.Buffers;

namespace Hub.Server.Delivery;

/// <summary>
/// The frames waiting for one connection's socket, in order, taken out one write at a time: a single frame as it is,
/// or a backlog of small ones copied into one batch. Not thread-safe: its <see cref="ConnectionWriter"/> guards it.
/// </summary>
internal sealed class OutgoingFrameQueue
{
    // The largest batch one socket write carries: several notifications, without one huge rented buffer.
    private const int MaxBatchBytes = 64 * 1024;

    // Created with the first frame that has to wait: most connections keep up and never need one.
    private Queue<OutgoingFrame>? _frames;

    /// <summary>The bytes waiting.</summary>
    public long Bytes { get; private set; }

    public void Enqueue(OutgoingFrame frame)
    {
        (_frames ??= new Queue<OutgoingFrame>()).Enqueue(frame);
        Bytes += frame.Length;
    }

    /// <summary>The next write: the first frame alone, or as many of the waiting frames as fit one batch.</summary>
    public bool TryDequeue(out OutgoingFrame next)
    {
        if (_frames is null || !_frames.TryDequeue(out next))
        {
            next = default;
            return false;
        }

        if (_frames.Count == 0 || next.Length + _frames.Peek().Length > MaxBatchBytes)
        {
            Bytes -= next.Length;
            return true;
        }

        var batch = ArrayPool<byte>.Shared.Rent(MaxBatchBytes);
        var length = 0;
        var frame = next;
        while (true)
        {
            frame.Bytes.Span.CopyTo(batch.AsSpan(length));
            length += frame.Length;
            Bytes -= frame.Length;
            frame.Return();
            if (!_frames.TryPeek(out frame) || length + frame.Length > MaxBatchBytes)
            {
                break;
            }

            _frames.Dequeue();
        }

        next = OutgoingFrame.Batch(batch, length);
        return true;
    }

    /// <summary>Discards every waiting frame.</summary>
    public void Clear()
    {
        if (_frames is not null)
        {
            while (_frames.TryDequeue(out var frame))
            {
                frame.Return();
            }
        }

        Bytes = 0;
    }
}
