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
internal static class LeanNegotiation
{
    private const int TokenBytes = 16;

    /// <summary>Writes the negotiate response (version 1 when the client asks for it, else version 0).</summary>
    public static Task WriteAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        var version = int.TryParse(context.Request.Query["negotiateVersion"], out var asked) && asked >= 1 ? 1 : 0;
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(TokenBytes));
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
    /// The connection id of the WebSocket request whose <c>id</c> is <paramref name="token"/>: derived from the token a
    /// negotiation issued, or a new random one for a client that skipped negotiation.
    /// </summary>
    public static string ConnectionIdFor(string? token)
        => string.IsNullOrEmpty(token)
            ? WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(TokenBytes))
            : WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(token)).AsSpan(0, TokenBytes));
}
