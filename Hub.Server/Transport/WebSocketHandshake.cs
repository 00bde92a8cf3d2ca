using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Hub.Server.Transport;

/// <summary>
/// The server's side of the WebSocket opening handshake over HTTP/1.1 (RFC 6455 §4.2), taken here instead of through
/// <c>AcceptWebSocketAsync</c> because the hub needs the upgraded stream itself: its <see cref="Delivery.ConnectionWriter"/>
/// is the one writer of that stream.
/// </summary>
internal static class WebSocketHandshake
{
    // RFC 6455 §1.3: the GUID the server appends to the client's key.
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int KeyBytes = 16;

    /// <summary>True when <paramref name="context"/> is a WebSocket opening handshake this class can accept.</summary>
    public static bool CanAccept(HttpContext context, out IHttpUpgradeFeature upgrade)
    {
        upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
        var request = context.Request;
        return upgrade is { IsUpgradableRequest: true }
            && HttpMethods.IsGet(request.Method)
            && HasToken(request.Headers[HeaderNames.Upgrade], "websocket")
            && request.Headers[HeaderNames.SecWebSocketVersion] == "13"
            && IsValidKey(request.Headers[HeaderNames.SecWebSocketKey]);
    }

    /// <summary>Answers the handshake with 101 and returns the connection's stream.</summary>
    public static Task<Stream> AcceptAsync(HttpContext context, IHttpUpgradeFeature upgrade)
    {
        var headers = context.Response.Headers;
        headers[HeaderNames.Upgrade] = "websocket";
        headers[HeaderNames.SecWebSocketAccept] = AcceptKey(context.Request.Headers[HeaderNames.SecWebSocketKey].ToString());
        // The connection outlives any request body limit: its messages are bounded by the hub protocol's own limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        return upgrade.UpgradeAsync();
    }

    /// <summary>RFC 6455 §4.2.2: base64 of the SHA-1 of the client's key and <see cref="KeyGuid"/>.</summary>
    public static string AcceptKey(string key)
    {
#pragma warning disable CA5350 // The protocol prescribes SHA-1 here; it proves the server read the handshake, nothing more.
        return Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + KeyGuid)));
#pragma warning restore CA5350
    }

    private static bool IsValidKey(string? key)
    {
        Span<byte> decoded = stackalloc byte[KeyBytes + 2];
        return key is { Length: 24 } && Convert.TryFromBase64String(key, decoded, out var written) && written == KeyBytes;
    }

    private static bool HasToken(Microsoft.Extensions.Primitives.StringValues values, string token)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
