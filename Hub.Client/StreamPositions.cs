namespace Hub.Client;

/// <summary>
/// Compares the positions of an outbox database's stream (<see cref="HubNotification.Position"/>). The hub documents
/// their text form as ordered: a format version and the outbox's epoch (its incarnation) in the first 17 characters,
/// then the place in the stream as fixed-width lower-case hex, so two positions of one epoch compare as ordinal
/// strings. Positions of different epochs (the outbox was truncated or reinstalled between them) have no order.
/// </summary>
public static class StreamPositions
{
    /// <summary>Characters of the format version and the epoch at the start of a position.</summary>
    public const int EpochPrefixLength = 17;

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are positions of the same incarnation of the outbox.</summary>
    public static bool SameEpoch(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Length >= EpochPrefixLength
            && b.Length >= EpochPrefixLength
            && string.CompareOrdinal(a, 0, b, 0, EpochPrefixLength) == 0;
    }

    /// <summary>
    /// Negative when <paramref name="a"/> comes before <paramref name="b"/> in the stream, zero when they are the same
    /// place, positive when after; null when they are of different epochs and so have no order.
    /// </summary>
    public static int? Compare(string a, string b)
        => SameEpoch(a, b) ? Math.Sign(string.CompareOrdinal(a, b)) : null;

    /// <summary>
    /// Whether <paramref name="candidate"/> is news after <paramref name="last"/>: later in the same epoch, or of another
    /// epoch (a new incarnation's positions start over and come after everything of the old one).
    /// </summary>
    internal static bool Supersedes(string candidate, string? last)
        => last is null || Compare(candidate, last) is null or > 0;
}
