namespace Hub.Server.Delivery;

/// <summary>
/// What a writer's <see cref="IHeldWriter.RoomAsync"/> waits on: set when the writer finds room again (at most half
/// of its bound queued) or closes, instead of the waiter polling. Not thread-safe: its writer guards it with its lock
/// and completes the waiter outside it.
/// </summary>
internal struct RoomSignal
{
    // Created only while a replay waits: an idle connection holds none.
    private TaskCompletionSource? _waiter;

    /// <summary>Completed now when <paramref name="hasRoom"/>, else when the writer next takes the waiter.</summary>
    public Task Wait(bool hasRoom)
        => hasRoom ? Task.CompletedTask : (_waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The waiter to complete (outside the writer's lock) when <paramref name="hasRoom"/>; null otherwise.</summary>
    public TaskCompletionSource? TakeIf(bool hasRoom)
    {
        if (!hasRoom || _waiter is null)
        {
            return null;
        }

        var waiter = _waiter;
        _waiter = null;
        return waiter;
    }
}
