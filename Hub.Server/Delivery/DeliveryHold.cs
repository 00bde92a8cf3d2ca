namespace Hub.Server.Delivery;

/// <summary>
/// Messages held back from one connection (see <see cref="IDeliveryHoldFeature"/>). Held messages count against
/// <see cref="DeliveryOptions.MaxBufferedBytesPerConnection"/> like queued ones: a connection that needs more is
/// disconnected as a slow consumer.
/// </summary>
/// <remarks>
/// Which sends pass is ambient (an async local), like a <see cref="DeferredFlushes"/> run, because SignalR's send
/// sits between the sender and the connection's writer.
/// </remarks>
public sealed class DeliveryHold
{
    private static readonly AsyncLocal<DeliveryHold?> Passing = new();
    private readonly IHeldWriter _writer;
    private Func<ReadOnlyMemory<byte>, bool>? _shed;
    private int _sheds;
    private int _shedGeneration;

    internal DeliveryHold(IHeldWriter writer) => _writer = writer;

    /// <summary>A new hold on <paramref name="writer"/>, which must have none active (<paramref name="active"/>).</summary>
    /// <exception cref="InvalidOperationException">A hold is already active on this connection.</exception>
    internal static DeliveryHold Begin(DeliveryHold? active, IHeldWriter writer)
        => active is null ? new DeliveryHold(writer) : throw new InvalidOperationException("A delivery hold is already active on this connection.");

    /// <summary>The hold whose messages pass on this flow, if any.</summary>
    internal static DeliveryHold? Current => Passing.Value;

    /// <summary>Lets what this flow sends to the connection pass the hold until the scope is disposed.</summary>
    public PassScope Pass()
    {
        Passing.Value = this;
        return default;
    }

    /// <summary>
    /// How many times the writer shed held messages (<see cref="ShedWhenFull"/>). An owner that reads on past what
    /// was shed compares it before and after a read.
    /// </summary>
    public int Sheds => Volatile.Read(ref _sheds);

    /// <summary>What the writer may discard once the hold passes half the connection's bound (<see cref="ShedWhenFull"/>).</summary>
    internal Func<ReadOnlyMemory<byte>, bool>? Shed => Volatile.Read(ref _shed);

    /// <summary>
    /// Lets the writer discard the held messages for which <paramref name="shed"/> is true once what is held passes
    /// half of the connection's bound, rather than disconnect a client that reads: for messages the hold's owner
    /// delivers anyway, as a replay that reads on past them does. <paramref name="shed"/> gets one whole serialized
    /// hub message at a time and runs under the writer's lock, so it must be quick.
    /// </summary>
    public void ShedWhenFull(Func<ReadOnlyMemory<byte>, bool> shed)
    {
        Volatile.Write(ref _shed, shed);
        ShedWidened();
    }

    /// <summary>
    /// Tells the writer that the predicate given to <see cref="ShedWhenFull"/> now accepts messages it refused before:
    /// the writer looks at each held message once per generation, so without this it would keep what it refused.
    /// Call it after the change the predicate reads.
    /// </summary>
    public void ShedWidened() => Interlocked.Increment(ref _shedGeneration);

    /// <summary>Changes with every <see cref="ShedWidened"/>: held messages refused in an earlier generation are looked at again.</summary>
    internal int ShedGeneration => Volatile.Read(ref _shedGeneration);

    /// <summary>Counts one shedding of held messages.</summary>
    internal void Shedded() => Interlocked.Increment(ref _sheds);

    /// <summary>True when no more than half of the connection's bound is queued for it (see <see cref="WaitForRoomAsync"/>).</summary>
    public bool HasRoom => _writer.HasRoom;

    /// <summary>
    /// Waits while more than half of the connection's bound is queued for it, so that a replay goes no faster than
    /// the client reads. Completes at once when there is room, and when the connection is closing; the writer
    /// signals the room as its queue drains.
    /// </summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var room = _writer.RoomAsync();
        return room.IsCompleted ? ValueTask.CompletedTask : new ValueTask(room.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Ends the hold: the held messages for which <paramref name="drop"/> is false go out after everything that
    /// passed, in the order they were sent; the others are discarded. <paramref name="drop"/> gets one whole
    /// serialized hub message at a time and runs under the writer's lock, so it must be quick.
    /// </summary>
    public void Release(Func<ReadOnlyMemory<byte>, bool> drop) => _writer.ReleaseHold(this, drop);

    /// <summary>Ends a <see cref="Pass"/> scope.</summary>
    public readonly struct PassScope : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Passing.Value = null;
    }
}
