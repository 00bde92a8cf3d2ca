namespace Hub.Server.Delivery;

/// <summary>
/// Who waits for a connection's writer and is told outside its lock: <see cref="ConnectionWriter.DrainedAsync"/>
/// (the socket drained) and <see cref="DeliveryHold.WaitForRoomAsync"/> (room for more).
/// </summary>
internal readonly record struct WriterWaiters(TaskCompletionSource? Drained, TaskCompletionSource? Room)
{
    public void Set()
    {
        Drained?.TrySetResult();
        Room?.TrySetResult();
    }
}
