using Hub.Server.Hosting;
using Hub.Server.Listening;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Delivery;

/// <summary>
/// Registers delivery: the listeners' sink, the fan-out and the per-connection delivery bound.
/// </summary>
public static class DeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Bounds what the hub buffers for each connection and each database's delivery queue (<c>Hub:Delivery</c>) and
    /// disconnects clients that stay over the bound, so a client that stops reading never delays the others, and lets Kestrel send frames without an
    /// extra thread-pool hop. Call after <c>AddSignalR</c>: it replaces <typeparamref name="THub"/>'s connection handler.
    /// With <paramref name="localGroups"/> (one instance, no backplane) it also replaces SignalR's lifetime manager, so
    /// that the groups of the hub's WebSocket connections are kept in <see cref="LocalGroups"/> for the broadcast fast path,
    /// and the fan-out runs that path itself. Without it the scale-out keeps the groups and runs the fast path for what
    /// arrives on its channel.
    /// </summary>
    public static IServiceCollection AddBoundedDelivery<THub>(this IServiceCollection services, IConfiguration configuration, bool localGroups)
        where THub : Microsoft.AspNetCore.SignalR.Hub
    {
        services.AddSingleton<LocalGroups>();
        services.AddSingleton<LocalBroadcast>();
        if (localGroups)
        {
            services.AddSingleton<HubLifetimeManager<THub>, LocalGroupsHubLifetimeManager<THub>>();
        }

        services.AddValidatedOptions<DeliveryOptions, DeliveryOptionsValidator>(configuration, DeliveryOptions.SectionName);
        services.AddOptions<SocketTransportOptions>()
            // Unset stays on here; the scale-out turns the default off when it adds the backplane.
            .Configure<IOptions<DeliveryOptions>>(static (sockets, delivery) =>
                sockets.UnsafePreferInlineScheduling = delivery.Value.InlineSocketScheduling ?? true);
        services.AddOptions<HostOptions>()
            .Configure<IOptions<DeliveryOptions>>(static (host, delivery) => host.ShutdownTimeout = delivery.Value.ShutdownTimeout + DeliveryOptions.ShutdownGrace);
        services.AddSingleton<SlowConsumerMonitor>();
        services.AddSingleton<HubConnectionHandler<THub>, BoundedHubConnectionHandler<THub>>();
        services.AddSingleton(sp => new NotificationFanout<THub>(
            sp.GetRequiredService<IHubContext<THub>>(), localGroups ? sp.GetRequiredService<LocalBroadcast>() : null));
        services.AddSingleton<IEnvelopeSender>(static sp => sp.GetRequiredService<NotificationFanout<THub>>());
        services.AddSingleton<INotificationSink, DeliveryQueues>();
        return services;
    }
}
