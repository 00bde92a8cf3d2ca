using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Delivery;

internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = HubEventIds.DeliverySendFailed, EventName = "DeliverySendFailed", Level = LogLevel.Error,
        Message = "Sending to the subscribers of database '{Database}' failed.")]
    public static partial void SendFailed(ILogger logger, string database, Exception exception);

    [LoggerMessage(EventId = HubEventIds.ConnectionBuffering, EventName = "ConnectionBuffering", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} is not reading fast enough; the hub buffers its messages.")]
    public static partial void ConnectionBuffering(ILogger logger, string connectionId);

    [LoggerMessage(EventId = HubEventIds.SlowConsumerDisconnected, EventName = "SlowConsumerDisconnected", Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} disconnected: slow consumer, {BufferedBytes} bytes waiting exceed Hub:Delivery:MaxBufferedBytesPerConnection ({MaxBufferedBytes}).")]
    public static partial void SlowConsumerDisconnected(ILogger logger, string connectionId, long bufferedBytes, long maxBufferedBytes);
}
