namespace Hub.Server.Delivery;

/// <summary>
/// The connections whose transport wake-up is held back while an outbox sends a run of envelopes back to back.
/// </summary>
/// <remarks>
/// Each flush of a connection's transport wakes its send loop, which frames what it finds and makes one system
/// call. When envelopes queue up behind each other, the outbox sends them as a run: each connection's
/// <see cref="BoundedPipeWriter"/> keeps the run's messages, and <see cref="Release"/> hands them to the transport
/// with one flush. A backlog then costs one wake-up, one WebSocket frame and one system call per connection and
/// run, not per envelope, so the hub catches up instead of falling further behind. With no backlog there is no
/// run and every message goes straight out. The run is ambient (an async local) because SignalR's group send sits
/// between the outbox and the writers.
/// </remarks>
internal sealed class DeferredFlushes
{
    private static readonly AsyncLocal<DeferredFlushes?> CurrentRun = new();

    private readonly Lock _gate = new();
    private List<BoundedPipeWriter> _held = [];
    private List<BoundedPipeWriter> _releasing = [];

    /// <summary>The run that sends on this flow belong to, or null when they go straight out.</summary>
    public static DeferredFlushes? Current => CurrentRun.Value;

    /// <summary>Makes this run current until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        CurrentRun.Value = this;
        return new Scope();
    }

    /// <summary>Hands every connection's held messages to its transport.</summary>
    public void Release()
    {
        List<BoundedPipeWriter> writers;
        lock (_gate)
        {
            if (_held.Count == 0)
            {
                return;
            }

            writers = _held;
            _held = _releasing;
            _releasing = writers;
        }

        foreach (var writer in writers)
        {
            writer.ReleaseHeld();
        }

        writers.Clear();
    }

    /// <summary>Called by a writer that started holding messages for this run.</summary>
    internal void Hold(BoundedPipeWriter writer)
    {
        lock (_gate)
        {
            _held.Add(writer);
        }
    }

    /// <summary>Ends the current run's scope; the held messages wait for <see cref="Release"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        public void Dispose() => CurrentRun.Value = null;
    }
}
