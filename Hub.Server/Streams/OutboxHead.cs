namespace Hub.Server.Streams;

/// <summary>Where an outbox's stream stands now.</summary>
/// <param name="Position">The last readable row, or the retention mark when that is later (zero when empty).</param>
/// <param name="Purged">The latest position retention deleted (zero when none).</param>
public sealed record OutboxHead(StreamPosition Position, StreamPosition Purged)
{
    /// <summary>Whether everything after <paramref name="since"/> is still in the outbox, and <paramref name="since"/> no later than the head.</summary>
    public bool CanResumeFrom(StreamPosition since, out string why)
    {
        why = since.Epoch != Position.Epoch ? "the position is from another incarnation of the outbox"
            : Purged.IsAfter(since) ? "rows after the position were deleted by retention"
            : since.IsAfter(Position) ? "the position is ahead of the stream"
            : string.Empty;
        return why.Length == 0;
    }
}
