namespace Hub.Tests.Bench;

/// <summary>One channel's bench rows in an outbox: how many, in how many transactions, how many distinct sequence numbers, the highest.</summary>
public sealed record ChannelRows(long Rows, long Commits, long Distinct, long Highest);
