namespace Hub.Server.Security;

/// <summary>
/// A log entry's state with bearer tokens masked in its message and in each of its values, so that structured
/// providers (JSON console, OpenTelemetry) get no token either.
/// </summary>
internal sealed class RedactedLogState(string message, IReadOnlyList<KeyValuePair<string, object?>> values)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>Formats the state: its redacted message.</summary>
    public static readonly Func<RedactedLogState, Exception?, string> Format = static (state, _) => state._message;

    private readonly string _message = AccessTokens.Redact(message);

    public int Count => values.Count;

    public KeyValuePair<string, object?> this[int index]
    {
        get
        {
            var pair = values[index];
            return TextOf(pair.Value) is { } text && AccessTokens.MayContain(text) ? new(pair.Key, AccessTokens.Redact(text)) : pair;
        }
    }

    /// <summary>Whether one of <paramref name="state"/>'s values (a URL, a query string) may hold a token.</summary>
    public static bool MayContainToken<TState>(TState state)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            return false;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (AccessTokens.MayContain(TextOf(values[i].Value)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The redacted state of an entry whose formatted message is <paramref name="message"/>.</summary>
    public static RedactedLogState Of<TState>(TState state, string message)
        => new(message, state as IReadOnlyList<KeyValuePair<string, object?>> ?? []);

    // URLs reach log entries as text or as Uri.
    private static string? TextOf(object? value) => value switch
    {
        string text => text,
        Uri uri => uri.OriginalString,
        _ => null,
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => _message;
}
