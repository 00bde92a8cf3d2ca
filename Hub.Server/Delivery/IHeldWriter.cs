namespace Hub.Server.Delivery;

/// <summary>A connection's writer that can hold messages back for a <see cref="DeliveryHold"/>.</summary>
internal interface IHeldWriter
{
    /// <summary>True while at most half of the connection's bound is queued for it, and once it is closing.</summary>
    bool HasRoom { get; }

    /// <summary>
    /// Completes once at most half of the connection's bound is queued for it, or once it is closing; completed
    /// already when that is so now. The writer completes it when its queue drains that far, so nobody polls.
    /// </summary>
    Task RoomAsync();

    /// <summary>See <see cref="DeliveryHold.Release"/>.</summary>
    void ReleaseHold(DeliveryHold hold, Func<ReadOnlyMemory<byte>, bool> drop);
}
