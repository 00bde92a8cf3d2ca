namespace Hub.Server.Delivery;

/// <summary>
/// A connection feature (in <c>HubCallerContext.Features</c>) that holds back what is sent to the connection while
/// something else is written to it first, such as a replay of history ahead of the live notifications.
/// </summary>
public interface IDeliveryHoldFeature
{
    /// <summary>
    /// Starts holding every message sent to this connection except those sent inside <see cref="DeliveryHold.Pass"/>
    /// scopes, until <see cref="DeliveryHold.Release"/>. One hold at a time per connection.
    /// </summary>
    /// <exception cref="InvalidOperationException">A hold is already active on this connection.</exception>
    DeliveryHold Hold();
}
