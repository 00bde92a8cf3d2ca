using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>What the client logs, through the <see cref="ILoggerFactory"/> it was given.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Reconnect attempt {Attempt} to the hub in {Delay} after: {Reason}")]
    public static partial void ReconnectAttempt(ILogger logger, long attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Lost the hub connection; reconnecting.")]
    public static partial void Reconnecting(ILogger logger, Exception? exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Resubscribed to database '{Database}' ({Channels} channels).")]
    public static partial void Resubscribed(ILogger logger, string database, int channels);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Could not resubscribe to database '{Database}'.")]
    public static partial void ResubscribeFailed(ILogger logger, string database, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A '{Event}' handler threw; the other handlers and the delivery carry on.")]
    public static partial void HandlerFailed(ILogger logger, string @event, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Subscribed to database '{Database}' channel '{Channel}' from position '{Since}': now at '{Position}', recovered {Recovered}.")]
    public static partial void SubscribedFrom(ILogger logger, string database, string? channel, string? since, string position, bool recovered);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Dropped a repeated notification of database '{Database}' channel '{Channel}' at position '{Position}'.")]
    public static partial void RepeatDropped(ILogger logger, string database, string channel, string position);
}
