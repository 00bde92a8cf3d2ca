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

    [LoggerMessage(EventId = HubEventIds.DeliveryOverloaded, EventName = "DeliveryOverloaded", Level = LogLevel.Warning,
        Message = "The delivery queue of database '{Database}' went over Hub:Delivery:MaxQueueLength or MaxQueueAge: {Dropped} notifications dropped, resync from {Since:O} to {Until:O} sent instead.")]
    public static partial void Overloaded(ILogger logger, string database, int dropped, DateTime since, DateTime until);

    [LoggerMessage(EventId = HubEventIds.DeliveryFenced, EventName = "DeliveryFenced", Level = LogLevel.Warning,
        Message = "This instance no longer leads database '{Database}': {Dropped} queued notifications dropped instead of sent late; the new leader's resync covers them.")]
    public static partial void Fenced(ILogger logger, string database, int dropped);

    [LoggerMessage(EventId = HubEventIds.DeliveryShutdownAbandoned, EventName = "DeliveryShutdownAbandoned", Level = LogLevel.Warning,
        Message = "Stopping: the delivery queue of database '{Database}' did not finish within twice Hub:Delivery:ShutdownTimeout; {Pending} envelopes abandoned.")]
    public static partial void ShutdownAbandoned(ILogger logger, string database, int pending);
}
