namespace Hub.Server.Security;

/// <summary>
/// Finds and masks bearer tokens carried in URLs (<c>access_token=...</c>), so that a logged URL never holds one.
/// </summary>
public static class AccessTokens
{
    /// <summary>The query string parameter browsers use for the token, since they cannot set headers on WebSockets and SSE.</summary>
    public const string QueryParameter = "access_token";

    private const string Marker = QueryParameter + "=";

    /// <summary>Whether <paramref name="text"/> may hold a token in a URL; cheap, for the logging hot path.</summary>
    public static bool MayContain(string? text) => text is not null && text.Contains(Marker, StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="text"/> with the value of every <c>access_token</c> parameter replaced by <see cref="ConnectionStrings.Mask"/>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var copied = 0;
        while (at >= 0)
        {
            var valueStart = at + Marker.Length;
            var valueEnd = valueStart;
            while (valueEnd < text.Length && !EndsValue(text[valueEnd]))
            {
                valueEnd++;
            }

            builder.Append(text, copied, valueStart - copied).Append(ConnectionStrings.Mask);
            copied = valueEnd;
            at = text.IndexOf(Marker, valueEnd, StringComparison.OrdinalIgnoreCase);
        }

        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool EndsValue(char c) => c is '&' or '#' or '"' or '\'' or '<' or '>' || char.IsWhiteSpace(c);
}
