using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Delivery;

/// <summary>
/// SignalR's connection handler for <typeparamref name="THub"/>, with every connection's output bounded by a
/// <see cref="BoundedPipeWriter"/> before SignalR sees it. Registered in place of the stock handler, so it covers
/// every send path (group sends in this process and those arriving through a backplane) without changing them.
/// </summary>
internal sealed class BoundedHubConnectionHandler<THub>(
    HubLifetimeManager<THub> lifetimeManager,
    IHubProtocolResolver protocolResolver,
    IOptions<HubOptions> globalHubOptions,
    IOptions<HubOptions<THub>> hubOptions,
    ILoggerFactory loggerFactory,
    IUserIdProvider userIdProvider,
    IServiceScopeFactory serviceScopeFactory,
    SlowConsumerMonitor monitor,
    IOptions<DeliveryOptions> deliveryOptions)
    : HubConnectionHandler<THub>(lifetimeManager, protocolResolver, globalHubOptions, hubOptions, loggerFactory, userIdProvider, serviceScopeFactory)
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    private readonly long _maxBufferedBytes = deliveryOptions.Value.MaxBufferedBytesPerConnection;

    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        if (connection.Features.Get<ConnectionWriter>() is not null)
        {
            // The hub's own WebSocket transport bounds its connections in their ConnectionWriter.
            return base.OnConnectedAsync(connection);
        }

        var transport = connection.Transport;
        var output = new BoundedPipeWriter(transport.Output, connection, monitor, _maxBufferedBytes);
        connection.Transport = new BoundedDuplexPipe(transport, output);
        connection.Features.Set<IDeliveryHoldFeature>(output);
        return base.OnConnectedAsync(connection);
    }
}
