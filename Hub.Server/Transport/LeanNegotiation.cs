using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Hub.Server.Transport;

/// <summary>
/// SignalR's <c>negotiate</c> answered by the hub for its own WebSocket transport, without keeping any state: the
/// connection token is random and the connection id is derived from it, so the WebSocket request that follows
/// (<c>?id=</c> the token) names its connection id without a lookup, and a negotiation that is never followed by a
/// connection costs nothing. WebSockets is the only transport offered.
/// </summary>
/// <remarks>
/// A version 0 client has no token: it connects with <c>?id=</c> the connection id itself. So a version 0 connection
/// id is random and longer than a token (<see cref="VersionZeroIdBytes"/>), and a WebSocket request whose id has that
/// length keeps it as its connection id; a derived id is never that long, so no client can take a version 1
/// connection's id this way. That a version 0 connection id is also its credential is the protocol's, as in SignalR.
/// </remarks>
internal static class LeanNegotiation
{
    private const int TokenBytes = 16;
    private const int VersionZeroIdBytes = 18;

    // Base64url without padding: 4 characters per 3 bytes.
    private const int VersionZeroIdLength = VersionZeroIdBytes / 3 * 4;

    /// <summary>Writes the negotiate response (version 1 when the client asks for it, else version 0).</summary>
    public static Task WriteAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        var version = int.TryParse(context.Request.Query["negotiateVersion"], out var asked) && asked >= 1 ? 1 : 0;
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(version == 0 ? VersionZeroIdBytes : TokenBytes));
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("negotiateVersion", version);
            // Version 0 clients connect with the connection id itself; version 1 clients with the token.
            json.WriteString("connectionId", version == 0 ? token : ConnectionIdFor(token));
            if (version == 1)
            {
                json.WriteString("connectionToken", token);
            }

            json.WriteStartArray("availableTransports");
            json.WriteStartObject();
            json.WriteString("transport", "WebSockets");
            json.WriteStartArray("transferFormats");
            json.WriteStringValue("Text");
            json.WriteStringValue("Binary");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = buffer.Length;
        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }

    /// <summary>
    /// The connection id of the WebSocket request whose <c>id</c> is <paramref name="token"/>: the id itself from a
    /// version 0 negotiation, derived from the token a version 1 negotiation issued, or a new random one for a client
    /// that skipped negotiation.
    /// </summary>
    public static string ConnectionIdFor(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(TokenBytes));
        }

        return token.Length == VersionZeroIdLength
            ? token
            : WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(token)).AsSpan(0, TokenBytes));
    }
}
