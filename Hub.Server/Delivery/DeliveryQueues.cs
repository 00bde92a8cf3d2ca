using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Hub.Server.Delivery;

/// <summary>
/// The listeners' sink: opens each database's <see cref="DeliveryQueue"/> with the bounds of <c>Hub:Delivery</c>,
/// sending through the hub's <see cref="IEnvelopeSender"/>.
/// </summary>
public sealed class DeliveryQueues(
    IEnvelopeSender sender, DeliveryTelemetry telemetry, IOptions<DeliveryOptions> options, ILoggerFactory loggerFactory, TimeProvider time)
    : INotificationSink
{
    /// <inheritdoc />
    public IDatabaseSink Open(string database)
        => new DeliveryQueue(database, sender, telemetry, loggerFactory.CreateLogger<DeliveryQueue>(), options.Value, time);
}
