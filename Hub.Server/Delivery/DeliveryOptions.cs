namespace Hub.Server.Delivery;

/// <summary>
/// How the hub delivers to each connection, bound from <c>Hub:Delivery</c>.
/// </summary>
public sealed class DeliveryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Delivery";

    /// <summary>
    /// The most bytes the hub holds for one connection that makes no progress (a client that stopped reading).
    /// On the hub's WebSocket transport a connection with more waiting is disconnected once no write to its socket
    /// has completed for <see cref="SlowConsumerTimeout"/>; a client that keeps reading may go over it during a burst,
    /// up to <see cref="HardMaxBufferedBytesPerConnection"/>. On SignalR's own transports (server-sent events, long
    /// polling) a connection that needs more is disconnected at once. Either way one stalled client costs bounded
    /// memory and never delays the others. This comes on top of the transport's own buffer and the kernel's socket buffers.
    /// </summary>
    public long MaxBufferedBytesPerConnection { get; set; } = 1024 * 1024; // about 4,000 typical notifications

    /// <summary>
    /// How long a connection with more than <see cref="MaxBufferedBytesPerConnection"/> waiting may go without any write
    /// to its socket completing before it is disconnected as a slow consumer.
    /// </summary>
    public TimeSpan SlowConsumerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most bytes that may wait for one connection however fast it reads: a burst larger than this (a huge
    /// transaction) disconnects even a client that keeps reading, so that memory stays bounded.
    /// </summary>
    public long HardMaxBufferedBytesPerConnection { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Whether Kestrel continues socket work on the thread that completed it instead of queueing it again
    /// (<c>SocketTransportOptions.UnsafePreferInlineScheduling</c>): one thread-pool hop less for every frame sent.
    /// The socket completions themselves still run on the thread pool unless
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, so request handling never runs on the socket engine's
    /// own thread. Unset, it is on for a single instance and off with the Redis backplane, where it measured
    /// slower (docs/benchmarks.md).
    /// </summary>
    public bool? InlineSocketScheduling { get; set; }

    /// <summary>
    /// The most notifications one database's delivery queue holds. Past it the oldest are dropped and the database's
    /// subscribers get one resync for the dropped span, so an overload costs a reload, never memory without bound.
    /// </summary>
    /// <remarks>
    /// 10,000 plain notifications are about 3 MB at typical payload sizes (80 MB at PostgreSQL's 8,000-byte maximum).
    /// An in-process fan-out drains that in well under a second; behind the Redis backplane, where a leader measured
    /// about 200 group sends a second under load, it is 50 s of backlog, so <see cref="MaxQueueAge"/> trips first.
    /// </remarks>
    public int MaxQueueLength { get; set; } = 10_000;

    /// <summary>
    /// The longest a notification waits in its database's delivery queue. An older one is dropped, with a resync
    /// for it, instead of reaching clients that late: past a few seconds a reload is worth more than a stale push.
    /// </summary>
    public TimeSpan MaxQueueAge { get; set; } = TimeSpan.FromSeconds(10); // twice a Redis command's default timeout, so one slow publish drops nothing

    /// <summary>
    /// How long a stopping instance goes on sending what its delivery queues hold. What is left then is dropped and
    /// covered by a resync, and the host's shutdown timeout is this plus <see cref="ShutdownGrace"/>, so an instance
    /// in a rolling deploy exits within a known time. With a backplane the queue of a database this instance led is
    /// dropped at once instead: the next leader covers it, and sending it now would arrive after the successor's.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What the host's shutdown timeout allows on top of <see cref="ShutdownTimeout"/> for the rest of the stop.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);
}
