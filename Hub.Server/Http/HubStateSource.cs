using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Limits;
using Hub.Server.Hubs;
using Hub.Server.Listening;
using Hub.Server.Subscriptions;
using Hub.Server.Telemetry;

namespace Hub.Server.Http;

/// <summary>
/// Gathers the figures the metrics observe from the services that own them, the same ones <see cref="StatsCollector"/> reports.
/// </summary>
public sealed class HubStateSource(
    ConnectionCounter connections,
    ListenerManager listeners,
    SubscriptionService subscriptions,
    SlowConsumerMonitor slowConsumers,
    PendingNegotiations negotiations,
    DatabaseConnectionBudget budget) : IHubStateSource
{
    private static readonly string[] States = [.. Enum.GetValues<ListenerState>().Select(ListenerStateNames.Of)];

    /// <inheritdoc />
    public long Connections => connections.Current;

    /// <inheritdoc />
    public long BufferingConnections => slowConsumers.BufferingConnections;

    /// <inheritdoc />
    public long SlowConsumersDisconnected => slowConsumers.DisconnectedConnections;

    /// <inheritdoc />
    public IReadOnlyList<string> ListenerStates => States;

    /// <inheritdoc />
    public long PendingNegotiations => negotiations.Count;

    /// <inheritdoc />
    public long DatabaseConnections => budget.InUse;

    /// <inheritdoc />
    public long DatabaseConnectionsRefused => budget.Refused;

    /// <inheritdoc />
    public IReadOnlyList<DatabaseGauges> Databases()
        => [.. listeners.Snapshot().Select(s => new DatabaseGauges(
            s.Database,
            ListenerStateNames.Of(s.State),
            subscriptions.SubscribersOf(s.Database),
            s.Subscriptions,
            s.NotificationsReceived,
            s.Reconnects,
            s.PendingDeliveries))];
}
