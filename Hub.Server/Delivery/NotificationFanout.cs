using Hub.Server.Contracts;
using Hub.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Delivery;

/// <summary>
/// Sends envelopes to their SignalR groups. One group send per envelope: SignalR serializes the message
/// once per protocol, not once per client, and the backplane (when configured) carries it to the other instances.
/// </summary>
public sealed class NotificationFanout(IHubContext<NotificationHub> hubContext)
{
    /// <summary>Sends <paramref name="envelope"/> to its group: a notification to its channel's subscribers, a resync to its database's.</summary>
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
        => hubContext.Clients.Group(envelope.Group()).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
}
