using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry, for tests that check what the hub logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception)));
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message);
