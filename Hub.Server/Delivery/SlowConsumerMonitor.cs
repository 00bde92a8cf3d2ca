using Microsoft.Extensions.Logging;

namespace Hub.Server.Delivery;

/// <summary>
/// Observes connections whose transport is full. <see cref="Disconnected"/> is the single place where a slow
/// consumer's disconnection is logged and counted; stats and metrics read the counters here.
/// </summary>
public sealed class SlowConsumerMonitor(ILogger<SlowConsumerMonitor> logger)
{
    private long _buffering;
    private long _disconnected;

    /// <summary>Connections that hold messages the transport could not take yet.</summary>
    public long BufferingConnections => Interlocked.Read(ref _buffering);

    /// <summary>Connections disconnected because they stayed over the buffer bound, since start.</summary>
    public long DisconnectedConnections => Interlocked.Read(ref _disconnected);

    internal void BufferingStarted(string connectionId)
    {
        Interlocked.Increment(ref _buffering);
        DeliveryLog.ConnectionBuffering(logger, connectionId);
    }

    internal void BufferingEnded() => Interlocked.Decrement(ref _buffering);

    internal void Disconnected(string connectionId, long bufferedBytes, long maxBufferedBytes)
    {
        Interlocked.Increment(ref _disconnected);
        DeliveryLog.SlowConsumerDisconnected(logger, connectionId, bufferedBytes, maxBufferedBytes);
    }
}
