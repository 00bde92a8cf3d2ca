namespace Hub.Server.Contracts;

/// <summary>
/// Builds SignalR group names, the only place that does.
/// </summary>
/// <remarks>
/// Names are lower-cased: the Redis backplane matches groups case-insensitively on one instance but
/// case-sensitively in Redis channel names, so two spellings of one group would diverge across instances.
/// Configuration validation rejects databases and channels that differ only in case, so lower-casing
/// never merges two groups.
/// </remarks>
public static class GroupNames
{
    /// <summary>The group of every connection subscribed to any channel of <paramref name="database"/>; resyncs go here.</summary>
    public static string ForDatabase(string database) => string.Concat("db:", database.ToLowerInvariant());

    /// <summary>The group of the connections subscribed to <paramref name="channel"/> of <paramref name="database"/>.</summary>
    public static string ForChannel(string database, string channel)
        => string.Concat("ch:", database.ToLowerInvariant(), ":", channel.ToLowerInvariant());
}
