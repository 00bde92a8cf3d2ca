using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Delivery;

/// <summary>
/// SignalR's single-instance lifetime manager, with the groups of connections that have a <see cref="ConnectionWriter"/>
/// kept in <see cref="LocalGroups"/> for the broadcast fast path instead of in SignalR's groups. Everything else
/// (sends to one connection, to all, to users, the groups of connections on SignalR's own transports) is SignalR's.
/// </summary>
/// <typeparam name="THub">The hub.</typeparam>
internal sealed class LocalGroupsHubLifetimeManager<THub>(LocalGroups groups, ILogger<DefaultHubLifetimeManager<THub>> logger)
    : DefaultHubLifetimeManager<THub>(logger)
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

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => groups.TryJoin(connectionId, groupName) ? Task.CompletedTask : base.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => groups.TryLeave(connectionId, groupName) ? Task.CompletedTask : base.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
}
