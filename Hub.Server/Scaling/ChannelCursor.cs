namespace Hub.Server.Scaling;

/// <summary>
/// What this instance has received of one database on the envelope channel: the last sequence number and epoch,
/// the receive time of the last notification it delivered (where a resync's window starts), when it last heard the
/// leader, and a resync it owes its subscribers.
/// </summary>
/// <remarks>Only <see cref="EnvelopeChannelReceiver"/> uses it, under its lock.</remarks>
internal sealed class ChannelCursor(long createdAt)
{
    /// <summary>The last sequence number received (delivered, or known to be covered by a resync).</summary>
    public long Sequence { get; set; }

    /// <summary>The incarnation of the sequence <see cref="Sequence"/> belongs to; null before the first message.</summary>
    public string? Incarnation { get; set; }

    /// <summary>The newest leader epoch seen.</summary>
    public long Epoch { get; set; }

    /// <summary>The instance that sent the last message accepted.</summary>
    public string? Leader { get; set; }

    /// <summary>Whether the next message sets <see cref="Sequence"/> instead of being checked against it (after a reconnect).</summary>
    public bool Rebase { get; set; } = true;

    /// <summary>The receive time of the last notification delivered to this instance's clients; null before the first.</summary>
    public DateTime? DeliveredAt { get; set; }

    /// <summary>When the leader was last heard (a <see cref="TimeProvider"/> timestamp).</summary>
    public long HeardAt { get; set; } = createdAt;

    /// <summary>When the last resync for a silence went out (a <see cref="TimeProvider"/> timestamp), or 0.</summary>
    public long SilenceResyncAt { get; set; }

    /// <summary>Where the window of a resync owed to this database's subscribers starts; null when none is owed.</summary>
    public DateTime? OwedSince { get; set; }

    /// <summary>Owes a resync whose window starts no later than <paramref name="since"/>.</summary>
    public void Owe(DateTime since) => OwedSince = OwedSince is { } owed && owed < since ? owed : since;
}
