using Hub.Server.Contracts;

namespace Hub.Server.Delivery;

/// <summary>
/// Sends envelopes through the hub's SignalR context. Delivery owns this so that it never needs to know the hub type:
/// <see cref="NotificationFanout{THub}"/> implements it for the hub the composition root names.
/// </summary>
public interface IEnvelopeSender
{
    /// <summary>Sends <paramref name="envelope"/> to its group (<see cref="Envelope.Group"/>), one group send for all its recipients.</summary>
    Task SendAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="envelope"/> to one connection of this instance.</summary>
    Task SendToConnectionAsync(string connectionId, Envelope envelope, CancellationToken cancellationToken);
}
