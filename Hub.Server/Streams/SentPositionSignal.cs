namespace Hub.Server.Streams;

/// <summary>
/// The last position an outbox reader has handed to the fan-out while it leads, and the waiters for it to pass a
/// position: a replay holds its connection's live messages until the reader has sent what the replay read, and this
/// tells it the moment that happens instead of it asking again and again.
/// </summary>
/// <remarks>
/// Each change completes the current <see cref="TaskCompletionSource"/> and puts a new one in its place under the
/// lock, so a waiter that read the state and then awaits the task it took with it cannot miss a change in between.
/// Continuations run asynchronously: the reader never runs a replay's release on its own loop.
/// </remarks>
internal sealed class SentPositionSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewChange();
    private StreamPosition? _sent;
    private bool _reading;

    /// <summary>The reader leads from <paramref name="cursor"/>: everything up to it has been sent.</summary>
    public void Start(StreamPosition cursor) => Change(cursor, reading: true);

    /// <summary>The reader handed every row up to <paramref name="sent"/> to the fan-out.</summary>
    public void Advance(StreamPosition sent)
    {
        lock (_gate)
        {
            if (_reading)
            {
                ChangeLocked(sent, reading: true);
            }
        }
    }

    /// <summary>The reader stood down: waiters learn that this instance no longer sends the stream.</summary>
    public void Stop() => Change(null, reading: false);

    /// <summary>
    /// Completes with true once every row up to <paramref name="upTo"/> has been sent (or the stream has another
    /// epoch, whose rows nobody holds), with false when or once the reader does not lead.
    /// </summary>
    public async Task<bool> WaitForAsync(StreamPosition upTo, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (!_reading)
                {
                    return false;
                }

                if (_sent is { } sent && (sent.Epoch != upTo.Epoch || !upTo.IsAfter(sent)))
                {
                    return true;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Change(StreamPosition? sent, bool reading)
    {
        lock (_gate)
        {
            ChangeLocked(sent, reading);
        }
    }

    private void ChangeLocked(StreamPosition? sent, bool reading)
    {
        _sent = sent;
        _reading = reading;
        var changed = _changed;
        _changed = NewChange();
        changed.SetResult();
    }

    private static TaskCompletionSource NewChange() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
