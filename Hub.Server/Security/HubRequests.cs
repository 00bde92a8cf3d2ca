using Hub.Server.Contracts;
using Microsoft.Net.Http.Headers;

namespace Hub.Server.Security;

/// <summary>Tells the requests that start a hub connection from the others.</summary>
internal static class HubRequests
{
    private static readonly PathString HubPath = new(NotificationHubEndpoint.Path);
    private static readonly PathString HubPathWithSlash = new(NotificationHubEndpoint.Path + "/");
    private static readonly PathString NegotiatePath = new(NotificationHubEndpoint.Path + "/negotiate");

    /// <summary>Whether <paramref name="request"/> is the hub's <c>POST {hub}/negotiate</c>.</summary>
    public static bool IsNegotiation(HttpRequest request)
        => HttpMethods.IsPost(request.Method)
            && request.Path.StartsWithSegments(NegotiatePath, StringComparison.OrdinalIgnoreCase, out var rest)
            && (!rest.HasValue || rest.Value == "/");

    /// <summary>
    /// Whether <paramref name="request"/> starts a connection: a negotiation, or a request to the hub that opens a
    /// WebSocket (an HTTP/1.1 upgrade or an HTTP/2 <c>CONNECT</c>) or an event stream.
    /// </summary>
    public static bool OpensConnection(HttpRequest request)
    {
        if (IsNegotiation(request))
        {
            return true;
        }

        if (!request.Path.Equals(HubPath, StringComparison.OrdinalIgnoreCase) && !request.Path.Equals(HubPathWithSlash, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var headers = request.Headers;
        return HttpMethods.IsConnect(request.Method)
            || (HttpMethods.IsGet(request.Method)
                && (headers[HeaderNames.Upgrade].ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
                    || headers[HeaderNames.Accept].ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase)));
    }
}
