using Microsoft.Extensions.Logging;

namespace Hub.Server.Delivery;

internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 301, EventName = "DeliverySendFailed", Level = LogLevel.Error,
        Message = "Sending to the subscribers of database '{Database}' failed.")]
    public static partial void SendFailed(ILogger logger, string database, Exception exception);
}
