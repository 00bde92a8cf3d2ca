namespace Hub.Server.Security;

/// <summary>
/// The logger factory of the hub: the framework's, with every entry's message and values cleared of bearer
/// tokens in URLs before any provider sees them (<see cref="TokenRedactingLogger"/>).
/// </summary>
/// <remarks>
/// Browsers send the token in the query string of WebSocket and SSE requests, and ASP.NET Core logs request URLs
/// with their query (the hosting diagnostics' "Request starting" line, at Information). Filtering those categories
/// by level is not enough: a configuration that raises them, or one that was not loaded, would log the tokens.
/// Redacting at the factory covers every category and every level, whatever the configuration says.
/// </remarks>
internal sealed class TokenRedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new TokenRedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
