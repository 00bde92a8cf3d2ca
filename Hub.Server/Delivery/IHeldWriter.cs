namespace Hub.Server.Delivery;

/// <summary>A connection's writer that can hold messages back for a <see cref="DeliveryHold"/>.</summary>
internal interface IHeldWriter
{
    /// <summary>See <see cref="DeliveryHold.WaitForRoomAsync"/>.</summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);

    /// <summary>See <see cref="DeliveryHold.Release"/>.</summary>
    void ReleaseHold(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop);
}
