namespace Hub.Server.Streams;

/// <summary>
/// Wakes the reader of one outbox when a wake-up NOTIFY arrives, and otherwise after its poll interval, the safety net.
/// </summary>
internal sealed class OutboxWakeUp(TimeSpan pollInterval) : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Ends the current or next <see cref="WaitAsync"/>.</summary>
    public void Wake()
    {
        // At most one wake-up is pending: the next batch reads everything committed by then.
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another wake-up got there first.
            }
        }
    }

    /// <summary>Waits for a wake-up or the poll interval, whichever comes first.</summary>
    public async Task WaitAsync(CancellationToken token) => await _wake.WaitAsync(pollInterval, token).ConfigureAwait(false);

    public void Dispose() => _wake.Dispose();
}
