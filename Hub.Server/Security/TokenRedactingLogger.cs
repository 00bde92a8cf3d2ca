namespace Hub.Server.Security;

/// <summary>
/// Passes entries on to the framework's logger, replacing a state that holds a token in a URL by a
/// <see cref="RedactedLogState"/>. Entries without one pass through as they are.
/// </summary>
internal sealed class TokenRedactingLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        // A structured entry's message is made of its values and a constant template, so checking the values
        // spares formatting every entry twice; an entry of another shape is checked by its text.
        var mayContainToken = state is IReadOnlyList<KeyValuePair<string, object?>>
            ? RedactedLogState.MayContainToken(state)
            : AccessTokens.MayContain(formatter(state, exception));
        if (!mayContainToken)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        inner.Log(logLevel, eventId, RedactedLogState.Of(state, formatter(state, exception)), exception, RedactedLogState.Format);
    }
}
