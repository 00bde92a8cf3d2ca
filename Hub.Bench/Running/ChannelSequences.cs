namespace Hub.Bench.Running;

/// <summary>
/// The sequence numbers of one database's channels, shared by its writers: each commit takes the next channel in
/// turn and a run of consecutive numbers of that channel, so every number is used once whichever writer takes it.
/// </summary>
public sealed class ChannelSequences(IReadOnlyList<string> channels)
{
    private readonly long[] _next = new long[channels.Count];
    private long _commits;

    /// <summary>Reserves <paramref name="rows"/> numbers for one commit: its channel and the first of them.</summary>
    public (string Channel, long First) Take(int rows)
    {
        var channel = (int)((Interlocked.Increment(ref _commits) - 1) % channels.Count);
        return (channels[channel], Interlocked.Add(ref _next[channel], rows) - rows);
    }

    /// <summary>How many numbers each channel handed out.</summary>
    public IReadOnlyDictionary<string, long> Counts()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < channels.Count; i++)
        {
            counts[channels[i]] = Interlocked.Read(ref _next[i]);
        }

        return counts;
    }
}
