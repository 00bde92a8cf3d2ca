using Hub.Server.Telemetry;

namespace Hub.Server.Streams;

/// <summary>The log messages of durable streams (the 9000s of <see cref="HubEventIds"/>).</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(EventId = HubEventIds.OutboxSchemaInstalled, EventName = "OutboxSchemaInstalled", Level = LogLevel.Information,
        Message = "Outbox schema '{Schema}' of database '{Database}' is installed (payloads up to {MaxPayloadBytes} bytes).")]
    public static partial void SchemaInstalled(ILogger logger, string database, string schema, int maxPayloadBytes);

    [LoggerMessage(EventId = HubEventIds.OutboxReaderStarted, EventName = "OutboxReaderStarted", Level = LogLevel.Information,
        Message = "Reading the outbox of database '{Database}' from {Position}.")]
    public static partial void ReaderStarted(ILogger logger, string database, StreamPosition position);

    [LoggerMessage(EventId = HubEventIds.OutboxReaderStopped, EventName = "OutboxReaderStopped", Level = LogLevel.Information,
        Message = "Stopped reading the outbox of database '{Database}' at {Position}.")]
    public static partial void ReaderStopped(ILogger logger, string database, StreamPosition position);

    [LoggerMessage(EventId = HubEventIds.OutboxBatchSent, EventName = "OutboxBatchSent", Level = LogLevel.Debug,
        Message = "Sent {Count} outbox rows of database '{Database}' up to {Position}.")]
    public static partial void BatchSent(ILogger logger, string database, int count, StreamPosition position);

    [LoggerMessage(EventId = HubEventIds.OutboxBatchNotSent, EventName = "OutboxBatchNotSent", Level = LogLevel.Warning,
        Message = "Outbox rows of database '{Database}' after {Position} were not all sent; the cursor stays there and they are read again in {Delay}.")]
    public static partial void BatchNotSent(ILogger logger, string database, StreamPosition position, TimeSpan delay);

    [LoggerMessage(EventId = HubEventIds.OutboxEpochChanged, EventName = "OutboxEpochChanged", Level = LogLevel.Warning,
        Message = "The outbox of database '{Database}' has a new epoch (truncated or reinstalled): reading it from its start.")]
    public static partial void EpochChanged(ILogger logger, string database);

    [LoggerMessage(EventId = HubEventIds.OutboxReadFailed, EventName = "OutboxReadFailed", Level = LogLevel.Error,
        Message = "Reading the outbox of database '{Database}' failed; retrying in {Delay}.")]
    public static partial void ReadFailed(ILogger logger, string database, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = HubEventIds.OutboxPurged, EventName = "OutboxPurged", Level = LogLevel.Debug,
        Message = "Retention deleted {Count} rows from the outbox of database '{Database}'.")]
    public static partial void Purged(ILogger logger, string database, long count);

    [LoggerMessage(EventId = HubEventIds.StreamReplayed, EventName = "StreamReplayed", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} resumes database '{Database}' from {Since}: {Count} rows replayed up to {Position}.")]
    public static partial void Replayed(ILogger logger, string connectionId, string database, StreamPosition since, int count, StreamPosition position);

    [LoggerMessage(EventId = HubEventIds.StreamHistoryUnavailable, EventName = "StreamHistoryUnavailable", Level = LogLevel.Information,
        Message = "Connection {ConnectionId} cannot resume database '{Database}' from {Since}: {Why}; it continues live from {Position}.")]
    public static partial void HistoryUnavailable(ILogger logger, string connectionId, string database, StreamPosition since, string why, StreamPosition position);

    [LoggerMessage(EventId = HubEventIds.StreamReaderWaitTimedOut, EventName = "StreamReaderWaitTimedOut", Level = LogLevel.Information,
        Message = "A replay of database '{Database}' up to {Position} stopped waiting for the outbox reader after {Wait}: no reader sent that far; live notifications are released.")]
    public static partial void ReaderWaitTimedOut(ILogger logger, string database, StreamPosition position, TimeSpan wait);

    [LoggerMessage(EventId = HubEventIds.OutboxWentBack, EventName = "OutboxWentBack", Level = LogLevel.Warning,
        Message = "The outbox of database '{Database}' no longer has the row at {Lost} the hub had sent (the database lost committed transactions): a new epoch starts, read from {From}; clients resuming from before get history-unavailable.")]
    public static partial void StreamWentBack(ILogger logger, string database, StreamPosition lost, StreamPosition from);

    [LoggerMessage(EventId = HubEventIds.StreamGapHeld, EventName = "StreamGapHeld", Level = LogLevel.Information,
        Message = "Live notifications of database '{Database}' may have been missed since {Since:O}: {Connections} connection(s) that resumed its stream are held and replayed from PostgreSQL instead of a resync.")]
    public static partial void GapHeld(ILogger logger, string database, int connections, DateTime since);

    [LoggerMessage(EventId = HubEventIds.StreamGapRecovered, EventName = "StreamGapRecovered", Level = LogLevel.Information,
        Message = "Connection {ConnectionId}'s resumed streams of database '{Database}' were replayed from where each one stood after a gap in live delivery ({From} to {Position}).")]
    public static partial void GapRecovered(ILogger logger, string connectionId, string database, StreamPosition from, StreamPosition position);

    [LoggerMessage(EventId = HubEventIds.StreamGapResync, EventName = "StreamGapResync", Level = LogLevel.Information,
        Message = "Connection {ConnectionId} gets a resync for a gap in live delivery of database '{Database}': it has channels of it without a position, or their replay failed.")]
    public static partial void GapResync(ILogger logger, string connectionId, string database);

    [LoggerMessage(EventId = HubEventIds.StreamGapRecoveryFailed, EventName = "StreamGapRecoveryFailed", Level = LogLevel.Warning,
        Message = "Replaying connection {ConnectionId}'s streams of database '{Database}' after a gap in live delivery failed; it gets a resync instead.")]
    public static partial void GapRecoveryFailed(ILogger logger, string connectionId, string database, Exception exception);
}
