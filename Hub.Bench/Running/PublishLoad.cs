namespace Hub.Bench.Running;

/// <summary>What <see cref="NotifyPublisher"/> sends to each database.</summary>
/// <param name="Channels">The channels the commits take in turn.</param>
/// <param name="RatePerDatabase">Notifications (rows, not commits) per second per database.</param>
/// <param name="Duration">How long to publish.</param>
/// <param name="PayloadLength">The payload length in characters.</param>
/// <param name="Outbox">Rows through <c>notify_hub.publish</c> instead of plain NOTIFY.</param>
/// <param name="Writers">Publishing connections per database, sharing its rate and its channels' numbers.</param>
/// <param name="RowsPerCommit">Notifications each transaction sends, in one statement.</param>
public sealed record PublishLoad(
    IReadOnlyList<string> Channels, double RatePerDatabase, TimeSpan Duration, int PayloadLength, bool Outbox = false, int Writers = 1, int RowsPerCommit = 1)
{
    /// <summary>The statement each commit runs: one notification, or <see cref="RowsPerCommit"/> of them.</summary>
    public string Statement => RowsPerCommit == 1 ? PublishStatements.For(Outbox) : PublishStatements.BatchFor(Outbox);
}
