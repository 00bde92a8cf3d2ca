namespace Hub.Server.Streams;

/// <summary>One row of an outbox, at its stream position.</summary>
public sealed record OutboxRow(StreamPosition Position, string Channel, string Payload, int ProcessId);
