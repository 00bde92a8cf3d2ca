using Hub.Server.Contracts;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Delivery;

/// <summary>
/// Sends envelopes to their SignalR groups and is the listeners' sink: each database gets a <see cref="DeliveryQueue"/>
/// that sends in the order the listener received. One group send per envelope: SignalR serializes the message
/// once per protocol, not once per client, and the backplane (when configured) carries it to the other instances.
/// </summary>
/// <typeparam name="THub">The hub whose clients receive the envelopes.</typeparam>
public sealed class NotificationFanout<THub>(IHubContext<THub> hubContext, DeliveryTelemetry telemetry, ILoggerFactory loggerFactory)
    : IEnvelopeSender, INotificationSink
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    /// <inheritdoc />
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return hubContext.Clients.Group(envelope.Group()).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
    }

    /// <inheritdoc />
    public Task SendToConnectionAsync(string connectionId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return hubContext.Clients.Client(connectionId).SendAsync(envelope.ClientMethod(), envelope, cancellationToken);
    }

    /// <inheritdoc />
    public IDatabaseSink Open(string database) => new DeliveryQueue(database, this, telemetry, loggerFactory.CreateLogger<DeliveryQueue>());
}
