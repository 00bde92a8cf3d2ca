using Hub.Server.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Delivery;

/// <summary>
/// Sends envelopes to their groups, for the <see cref="DeliveryQueue"/> of each database (opened by
/// <see cref="DeliveryQueues"/>), in the order the queue hands them over.
/// </summary>
/// <remarks>
/// On a single instance the envelope goes to this instance's WebSocket connections on the broadcast fast path
/// (<see cref="LocalBroadcast"/>), and through SignalR's group send to the connections on SignalR's own transports
/// (a dictionary lookup when there are none). Scaled out, the hub's own Redis channel carries the envelope to every
/// instance, which runs the fast path itself; this class then has no <see cref="LocalBroadcast"/> and its group send
/// goes through SignalR's Redis backplane, to the connections on SignalR's own transports of every instance.
/// </remarks>
/// <typeparam name="THub">The hub whose clients receive the envelopes.</typeparam>
public sealed class NotificationFanout<THub>(
    IHubContext<THub> hubContext, LocalBroadcast? localBroadcast = null)
    : IEnvelopeSender
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    /// <inheritdoc />
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        localBroadcast?.Send(envelope);
        return hubContext.Clients.Group(envelope.Group()).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
    }

    /// <inheritdoc />
    public Task SendToConnectionAsync(string connectionId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return hubContext.Clients.Client(connectionId).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
    }
}
