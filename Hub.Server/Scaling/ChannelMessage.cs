using Hub.Server.Contracts;

namespace Hub.Server.Scaling;

/// <summary>
/// One message of the envelope channel: an envelope a database's leader published, or its heartbeat.
/// </summary>
/// <param name="Database">The database it belongs to.</param>
/// <param name="Sequence">
/// The database's sequence number: given by Redis to each envelope, one more than the last, whichever instance leads;
/// a heartbeat carries the last one given, so a receiver that has not seen it knows it missed something.
/// </param>
/// <param name="Incarnation">The run of the sequence: a new one when Redis lost the counter and numbering started over.</param>
/// <param name="Epoch">The leader's epoch: a PostgreSQL transaction id taken when it started leading, larger for every later leader.</param>
/// <param name="Leader">The leader's instance id, for logs.</param>
/// <param name="Envelope">The envelope; null for a heartbeat.</param>
/// <param name="LastNotificationAt">
/// A heartbeat's receive time of the last notification the leader had published when it sent the heartbeat, if any:
/// where a receiver's window starts when it starts counting at this heartbeat.
/// </param>
public sealed record ChannelMessage(string Database, long Sequence, string Incarnation, long Epoch, string Leader, Envelope? Envelope, DateTime? LastNotificationAt)
{
    /// <summary>Whether this is a leader's heartbeat rather than an envelope.</summary>
    public bool IsHeartbeat => Envelope is null;
}
