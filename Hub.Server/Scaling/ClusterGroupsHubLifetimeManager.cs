using Hub.Server.Delivery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace Hub.Server.Scaling;

/// <summary>
/// SignalR's Redis lifetime manager, with the groups of this instance's connections on the hub's WebSocket transport
/// kept in <see cref="LocalGroups"/> instead of in Redis: their notifications arrive on the envelope channel and go out
/// on the broadcast fast path. Everything else (sends to one connection, to users, to all, the groups of connections on
/// SignalR's own transports) goes through SignalR's backplane as before.
/// </summary>
/// <typeparam name="THub">The hub.</typeparam>
internal sealed class ClusterGroupsHubLifetimeManager<THub>(
    LocalGroups groups,
    ILogger<RedisHubLifetimeManager<THub>> logger,
    IOptions<RedisOptions> options,
    IHubProtocolResolver hubProtocolResolver,
    IOptions<HubOptions> globalHubOptions,
    IOptions<HubOptions<THub>> hubOptions)
    : RedisHubLifetimeManager<THub>(logger, options, hubProtocolResolver, globalHubOptions, hubOptions)
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        groups.Track(connection);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        groups.Remove(connection.ConnectionId);
        return base.OnDisconnectedAsync(connection);
    }

    // A connection of this instance joins here; one of another instance (SignalR routes those through Redis) is not tracked.
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => groups.TryJoin(connectionId, groupName) ? Task.CompletedTask : base.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => groups.TryLeave(connectionId, groupName) ? Task.CompletedTask : base.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
}
