using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Transport;

/// <summary>
/// Puts the hub's WebSocket transport in front of SignalR's on a hub mapped with <c>MapHub</c>.
/// </summary>
/// <remarks>
/// It wraps the request delegates of the two endpoints <c>MapHub</c> maps, so the endpoints' metadata (the
/// authorization policy, CORS) applies to the hub's transport exactly as to SignalR's: by the time a delegate runs
/// the request is authenticated and authorized. Without fallback transports the hub answers <c>negotiate</c> itself
/// (<see cref="LeanNegotiation"/>) and takes every WebSocket request; what else reaches the endpoint (server-sent
/// events, long polling, WebSockets over HTTP/2, which has no upgrade) goes to SignalR's dispatcher, which knows no
/// connection the hub negotiated and refuses it. With fallback transports SignalR negotiates and serves what it
/// negotiated, and the hub takes the WebSocket requests that skipped negotiation (no <c>id</c>).
/// </remarks>
public static class TransportEndpointConventionBuilderExtensions
{
    /// <summary>Serves <typeparamref name="THub"/>'s WebSocket connections on the hub's own transport.</summary>
    /// <param name="builder">The builder <c>MapHub</c> returned.</param>
    /// <param name="options">The transport options.</param>
    /// <param name="closeOnAuthenticationExpiration">The hub's <c>CloseOnAuthenticationExpiration</c>.</param>
    public static HubEndpointConventionBuilder WithHubWebSockets<THub>(
        this HubEndpointConventionBuilder builder, TransportOptions options, bool closeOnAuthenticationExpiration)
        where THub : Microsoft.AspNetCore.SignalR.Hub
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.LeanWebSockets)
        {
            return builder;
        }

        var fallback = options.FallbackTransports;
        builder.Add(endpoint =>
        {
            var signalR = endpoint.RequestDelegate
                ?? throw new InvalidOperationException($"The hub endpoint '{endpoint.DisplayName}' has no request delegate.");
            if (endpoint.Metadata.OfType<NegotiateMetadata>().Any())
            {
                if (!fallback)
                {
                    endpoint.RequestDelegate = LeanNegotiation.WriteAsync;
                }

                return;
            }

            endpoint.RequestDelegate = context =>
            {
                var ours = WebSocketHandshake.CanAccept(context, out _) && (!fallback || RequestQuery.Value(context.Request, "id") is null);
                return ours
                    ? context.RequestServices.GetRequiredService<WebSocketTransport<THub>>().RunAsync(context, closeOnAuthenticationExpiration)
                    : signalR(context);
            };
        });
        return builder;
    }
}
