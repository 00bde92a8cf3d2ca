using Microsoft.Extensions.Logging;

namespace Hub.Tests.Infrastructure;

/// <summary>One entry <see cref="CapturedLogs"/> kept.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    /// <summary>The entry as a log file would show it.</summary>
    public string Text => $"{Category}: {Message} {Exception}";
}
