namespace Hub.Server.Streams;

/// <summary>The log messages of durable streams (event ids 9000-9099).</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(9000, LogLevel.Information, "Outbox schema '{Schema}' of database '{Database}' is installed (payloads up to {MaxPayloadBytes} bytes).", EventName = "OutboxSchemaInstalled")]
    public static partial void SchemaInstalled(ILogger logger, string database, string schema, int maxPayloadBytes);

    [LoggerMessage(9001, LogLevel.Information, "Reading the outbox of database '{Database}' from {Position}.", EventName = "OutboxReaderStarted")]
    public static partial void ReaderStarted(ILogger logger, string database, string position);

    [LoggerMessage(9002, LogLevel.Information, "Stopped reading the outbox of database '{Database}' at {Position}.", EventName = "OutboxReaderStopped")]
    public static partial void ReaderStopped(ILogger logger, string database, string position);

    [LoggerMessage(9003, LogLevel.Debug, "Sent {Count} outbox rows of database '{Database}' up to {Position}.", EventName = "OutboxBatchSent")]
    public static partial void BatchSent(ILogger logger, string database, int count, string position);

    [LoggerMessage(9004, LogLevel.Warning, "The outbox of database '{Database}' has a new epoch (truncated or reinstalled): reading it from its start.", EventName = "OutboxEpochChanged")]
    public static partial void EpochChanged(ILogger logger, string database);

    [LoggerMessage(9005, LogLevel.Error, "Reading the outbox of database '{Database}' failed; retrying in {Delay}.", EventName = "OutboxReadFailed")]
    public static partial void ReadFailed(ILogger logger, string database, TimeSpan delay, Exception exception);

    [LoggerMessage(9006, LogLevel.Debug, "Retention deleted {Count} rows from the outbox of database '{Database}'.", EventName = "OutboxPurged")]
    public static partial void Purged(ILogger logger, string database, long count);

    [LoggerMessage(9007, LogLevel.Debug, "Connection {ConnectionId} resumes database '{Database}' from {Since}: {Count} rows replayed up to {Position}.", EventName = "StreamReplayed")]
    public static partial void Replayed(ILogger logger, string connectionId, string database, string since, int count, string position);

    [LoggerMessage(9008, LogLevel.Information, "Connection {ConnectionId} cannot resume database '{Database}' from {Since}: {Why}; it continues live from {Position}.", EventName = "StreamHistoryUnavailable")]
    public static partial void HistoryUnavailable(ILogger logger, string connectionId, string database, string since, string why, string position);
}
