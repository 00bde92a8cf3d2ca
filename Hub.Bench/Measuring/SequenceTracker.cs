namespace Hub.Bench.Measuring;

/// <summary>
/// What one connection received of one database's numbered notifications: which sequence numbers arrived,
/// how many arrived more than once, and how many arrived after a later one.
/// </summary>
public sealed class SequenceTracker
{
    private ulong[] _seen = new ulong[4];
    private long _highest = -1;

    /// <summary>Distinct sequence numbers received.</summary>
    public long Unique { get; private set; }

    /// <summary>Receipts of a sequence number already received.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Receipts of a sequence number lower than one received before it.</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Records the receipt of <paramref name="sequence"/> (0 or more).</summary>
    public void Record(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var word = (int)(sequence >> 6);
        if (word >= _seen.Length)
        {
            Array.Resize(ref _seen, Math.Max(word + 1, _seen.Length * 2));
        }

        var bit = 1UL << (int)(sequence & 63);
        if ((_seen[word] & bit) != 0)
        {
            Duplicates++;
            return;
        }

        _seen[word] |= bit;
        Unique++;
        if (sequence < _highest)
        {
            OutOfOrder++;
        }
        else
        {
            _highest = sequence;
        }
    }

    /// <summary>How many of the sequence numbers 0 to <paramref name="sent"/> - 1 never arrived.</summary>
    public long Lost(long sent)
    {
        long received = 0;
        var fullWords = (int)Math.Min(sent >> 6, _seen.Length);
        for (var i = 0; i < fullWords; i++)
        {
            received += System.Numerics.BitOperations.PopCount(_seen[i]);
        }

        var rest = (int)(sent & 63);
        if (rest > 0 && fullWords < _seen.Length && fullWords == sent >> 6)
        {
            received += System.Numerics.BitOperations.PopCount(_seen[fullWords] & ((1UL << rest) - 1));
        }

        return sent - received;
    }
}
