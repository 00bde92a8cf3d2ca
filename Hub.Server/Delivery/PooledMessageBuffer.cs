using System.Buffers;

namespace Hub.Server.Delivery;

/// <summary>The growable, pooled buffer a writer serializes one message into.</summary>
internal static class PooledMessageBuffer
{
    private const int MinimumLength = 4096;

    /// <summary>
    /// Makes <paramref name="buffer"/> (rented from the shared pool, or null) hold at least <paramref name="sizeHint"/>
    /// more bytes after the <paramref name="used"/> it holds, renting a larger one and keeping what was written.
    /// </summary>
    public static byte[] Ensure(ref byte[]? buffer, int used, int sizeHint)
    {
        var needed = used + Math.Max(sizeHint, 256);
        if (buffer is null)
        {
            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumLength));
        }
        else if (buffer.Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
            buffer.AsSpan(0, used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }

        return buffer;
    }
}
