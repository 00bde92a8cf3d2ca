namespace Hub.Server.Security;

/// <summary>
/// The response headers that keep browsers from framing, sniffing or leaking the hub's pages.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The content security policy: the live page's scripts, styles and images come from the hub itself, it talks
    /// only to the hub (<c>'self'</c> covers the same host's WebSocket), runs no inline code and cannot be framed.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Sets the headers on <paramref name="response"/>; call before it starts.</summary>
    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }
}
