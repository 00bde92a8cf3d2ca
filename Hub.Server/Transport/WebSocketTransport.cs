using Hub.Server.Delivery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Transport;

/// <summary>
/// Accepts WebSocket requests to the hub and runs each as a <see cref="WebSocketHubConnection"/> through the hub's
/// SignalR connection handler, the same handler (and so the same hub, protocols, limits and filters) SignalR's own
/// transports use.
/// </summary>
/// <typeparam name="THub">The hub.</typeparam>
public sealed class WebSocketTransport<THub>(
    HubConnectionHandler<THub> handler,
    ConnectionHeartbeat heartbeat,
    SlowConsumerMonitor monitor,
    IOptions<DeliveryOptions> delivery,
    IOptions<TransportOptions> transport,
    TimeProvider time,
    ILogger<WebSocketTransport<THub>> logger)
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    private readonly SlowConsumerPolicy _policy = SlowConsumerPolicy.From(delivery.Value);
    private readonly bool _socketWrites = transport.Value.SocketWrites;

    /// <summary>Takes the WebSocket handshake of <paramref name="context"/> and runs the connection until it ends.</summary>
    /// <param name="context">The WebSocket request, authenticated and authorized for the hub already.</param>
    /// <param name="closeOnAuthenticationExpiration">Whether the connection is closed when the request's authentication expires.</param>
    public async Task RunAsync(HttpContext context, bool closeOnAuthenticationExpiration)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!WebSocketHandshake.CanAccept(context, out var upgrade))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (heartbeat.IsStopping)
        {
            // The server still accepts while it stops; a client told to reconnect must not land here again.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var expiration = closeOnAuthenticationExpiration
            ? context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc ?? DateTimeOffset.MaxValue
            : DateTimeOffset.MaxValue;
        var connectionId = LeanNegotiation.ConnectionIdFor(RequestQuery.Value(context.Request, "id"));
        var upgraded = await WebSocketHandshake.AcceptAsync(context, upgrade).ConfigureAwait(false);
        if (_socketWrites)
        {
            upgraded = SocketOutputStream.For(context, upgraded);
        }

        var connection = new WebSocketHubConnection(connectionId, context, upgraded, _policy, monitor, time, expiration, logger);
        TransportLog.Connected(logger, connectionId);
        heartbeat.Add(connection);
        try
        {
            await connection.RunAsync(handler.OnConnectedAsync).ConfigureAwait(false);
        }
        finally
        {
            heartbeat.Remove(connection);
            TransportLog.Disconnected(logger, connectionId);
        }
    }
}
