using Hub.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Delivery;

/// <summary>
/// Sends envelopes to their SignalR groups. One group send per envelope: SignalR serializes the message
/// once per protocol, not once per client, and the backplane (when configured) carries it to the other instances.
/// </summary>
public sealed class NotificationFanout(IHubContext<NotificationHub> hubContext)
{
    /// <summary>Sends <paramref name="notification"/> to the subscribers of its channel.</summary>
    public Task SendAsync(NotificationEnvelope notification, CancellationToken cancellationToken)
        => hubContext.Clients
            .Group(GroupNames.ForChannel(notification.Database, notification.Channel))
            .SendAsync(ClientMethods.Notification, notification, cancellationToken);

    /// <summary>Sends <paramref name="resync"/> to every subscriber of its database.</summary>
    public Task SendAsync(ResyncEnvelope resync, CancellationToken cancellationToken)
        => hubContext.Clients
            .Group(GroupNames.ForDatabase(resync.Database))
            .SendAsync(ClientMethods.Resync, resync, cancellationToken);
}
