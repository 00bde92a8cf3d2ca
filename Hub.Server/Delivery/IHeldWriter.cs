namespace Hub.Server.Delivery;

/// <summary>A connection's writer that can hold messages back for a <see cref="DeliveryHold"/>.</summary>
internal interface IHeldWriter
{
    /// <summary>True while at most half of the connection's bound is queued for it, and once it is closing.</summary>
    bool HasRoom { get; }

    /// <summary>See <see cref="DeliveryHold.Release"/>.</summary>
    void ReleaseHold(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop);
}
