namespace Hub.Server.Scaling;

/// <summary>
/// The Redis names of the hub's own envelope channel, built in one place: the channel every instance subscribes to,
/// and the keys per database that the publish script keeps (the sequence, its incarnation and the newest leader epoch).
/// </summary>
/// <remarks>
/// The keys put the database in a hash tag, so that the keys of a database live on one Redis Cluster slot, as a
/// script needs. Every name starts with <see cref="ScaleOutOptions.ChannelPrefix"/>, so deployments sharing a Redis
/// stay apart.
/// </remarks>
public sealed class EnvelopeChannelNames(string prefix)
{
    /// <summary>The one channel of every database's envelopes and leader heartbeats.</summary>
    public string Channel { get; } = prefix + ":envelopes";

    /// <summary>The key of the last sequence number given to an envelope of <paramref name="database"/>.</summary>
    public string SequenceKey(string database) => $"{prefix}:{{{database}}}:sequence";

    /// <summary>
    /// The key naming the current run of <paramref name="database"/>'s sequence: set by the first publish after the
    /// sequence key was missing (a new database, or Redis lost its keys), so receivers know the numbers started over.
    /// </summary>
    public string IncarnationKey(string database) => $"{prefix}:{{{database}}}:incarnation";

    /// <summary>The key of the newest epoch a leader of <paramref name="database"/> published with.</summary>
    public string EpochKey(string database) => $"{prefix}:{{{database}}}:epoch";
}
