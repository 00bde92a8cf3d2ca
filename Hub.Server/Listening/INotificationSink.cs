namespace Hub.Server.Listening;

/// <summary>
/// Where listeners hand what they receive, in the way centrifuge's brokers call a <c>BrokerEventHandler</c>: the
/// listener never knows who delivers to clients. Delivery implements it.
/// </summary>
public interface INotificationSink
{
    /// <summary>Opens the ordered sink of <paramref name="database"/>; the listener that opened it disposes it.</summary>
    IDatabaseSink Open(string database);
}
