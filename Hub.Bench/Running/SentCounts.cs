namespace Hub.Bench.Running;

/// <summary>
/// How many numbered notifications each channel of each database got: every channel numbers its own from 0, so a
/// connection, which subscribes to one channel, can tell exactly which of them it missed.
/// </summary>
/// <param name="ByDatabase">Database name to channel name to count.</param>
public sealed record SentCounts(IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ByDatabase)
{
    /// <summary>Nothing sent (an idle run).</summary>
    public static SentCounts None { get; } = new(new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal));

    /// <summary><paramref name="count"/> notifications on one channel of one database.</summary>
    public static SentCounts OnOneChannel(string database, string channel, long count)
        => new(new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal)
        {
            [database] = new Dictionary<string, long>(StringComparer.Ordinal) { [channel] = count },
        });

    /// <summary>What <paramref name="channel"/> of <paramref name="database"/> got; 0 when nothing was sent there.</summary>
    public long Of(string database, string channel)
        => ByDatabase.TryGetValue(database, out var channels) ? channels.GetValueOrDefault(channel) : 0;

    /// <summary>Everything sent, over all databases and channels.</summary>
    public long Sum() => ByDatabase.Values.Sum(static channels => channels.Values.Sum());
}
