namespace Hub.Server.Delivery;

/// <summary>
/// The connections whose transport wake-up is held back while a delivery queue sends a run of envelopes back to back.
/// </summary>
/// <remarks>
/// Each flush of a connection's transport wakes its send loop, which frames what it finds and makes one system
/// call. When envelopes queue up behind each other, the delivery queue sends them as a run: each connection's
/// writer (<see cref="ConnectionWriter"/> on the hub's own transport, <see cref="BoundedPipeWriter"/> on SignalR's)
/// holds the run's messages instead of writing them, and <see cref="Release"/> has each write them once. A backlog then costs one wake-up, one WebSocket frame and one system call per connection and
/// run, not per envelope, so the hub catches up instead of falling further behind. With no backlog there is no
/// run and every message goes straight out. The run is ambient (an async local) because SignalR's group send sits
/// between the delivery queue and the writers.
/// </remarks>
internal sealed class DeferredFlushes
{
    private static readonly AsyncLocal<DeferredFlushes?> CurrentRun = new();

    // A held writer may join from a continuation of SignalR's group send on another thread, never during Release.
    private readonly Lock _gate = new();
    private readonly List<IRunWriter> _held = [];

    /// <summary>The run that sends on this flow belong to, or null when they go straight out.</summary>
    public static DeferredFlushes? Current => CurrentRun.Value;

    /// <summary>Makes this run current until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        CurrentRun.Value = this;
        return new Scope(entered: true);
    }

    /// <summary>Flushes every held connection once, handing its transport back.</summary>
    public void Release()
    {
        lock (_gate)
        {
            foreach (var writer in _held)
            {
                writer.ReleaseHeld();
            }

            _held.Clear();
        }
    }

    /// <summary>Called by a writer that started holding messages for this run.</summary>
    internal void Hold(IRunWriter writer)
    {
        lock (_gate)
        {
            _held.Add(writer);
        }
    }

    /// <summary>
    /// Ends the current run's scope; the held messages wait for <see cref="Release"/>. The default scope (no run)
    /// leaves the async local alone, so a send outside any run costs nothing here.
    /// </summary>
    public readonly struct Scope(bool entered) : IDisposable
    {
        public void Dispose()
        {
            if (entered)
            {
                CurrentRun.Value = null;
            }
        }
    }
}
