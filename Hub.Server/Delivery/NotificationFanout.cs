using Hub.Server.Contracts;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hub.Server.Delivery;

/// <summary>
/// Sends envelopes to their groups, for the <see cref="DeliveryQueue"/> of each database (opened by
/// <see cref="DeliveryQueues"/>), in the order the queue hands them over.
/// </summary>
/// <remarks>
/// The broadcast fast path: with <see cref="LocalGroups"/> (a single instance), the envelope is serialized and framed
/// once per protocol and the same bytes are handed to each member's <see cref="ConnectionWriter"/>, which writes them
/// to its socket under its own lock: nothing is serialized, framed, copied or awaited per recipient. The group send
/// through SignalR that follows reaches the connections on SignalR's own transports, and costs a dictionary lookup when
/// there are none. With the Redis backplane there are no local groups: SignalR's group send serializes once per
/// protocol and the backplane carries it to every instance.
/// </remarks>
/// <typeparam name="THub">The hub whose clients receive the envelopes.</typeparam>
public sealed class NotificationFanout<THub>(
    IHubContext<THub> hubContext, LocalGroups? localGroups = null)
    : IEnvelopeSender
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    /// <inheritdoc />
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var group = envelope.Group();
        if (localGroups?.MembersOf(group) is { Length: > 0 } members)
        {
            var frames = new BroadcastFrames(new InvocationMessage(envelope.ClientMethod(), [envelope]));
            foreach (var member in members)
            {
                if (member.Protocol is { } protocol)
                {
                    member.Send(frames.For(protocol));
                }
            }
        }

        return hubContext.Clients.Group(group).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
    }

    /// <inheritdoc />
    public Task SendToConnectionAsync(string connectionId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return hubContext.Clients.Client(connectionId).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
    }
}
