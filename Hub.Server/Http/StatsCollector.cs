using System.Diagnostics;
using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Hubs;
using Hub.Server.Limits;
using Hub.Server.Listening;
using Hub.Server.Scaling;
using Hub.Server.Security;
using Hub.Server.Streams;
using Hub.Server.Subscriptions;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Hub.Server.Http;

/// <summary>
/// Builds the <see cref="StatsReport"/> from the services that own each figure.
/// </summary>
public sealed class StatsCollector(
    HubInstance instance,
    ConnectionCounter connections,
    DatabaseRegistry registry,
    ListenerManager listeners,
    SubscriptionService subscriptions,
    SlowConsumerMonitor slowConsumers,
    IOptions<ManagementOptions> management,
    OutboxReaders outboxes,
    DatabaseConnectionBudget budget,
    PendingNegotiations negotiations,
    RedisBackplane? backplane = null)
{
    /// <summary>The report as of now.</summary>
    public StatsReport Collect()
    {
        var snapshots = listeners.Snapshot().ToDictionary(static s => s.Database, StringComparer.Ordinal);
        var databases = new SortedDictionary<string, DatabaseStats>(StringComparer.Ordinal);
        foreach (var database in registry.Databases)
        {
            databases[database.Name] = ToStats(database.Name, snapshots.GetValueOrDefault(database.Name));
        }

        var tenants = snapshots.Values.Where(s => !databases.ContainsKey(s.Database)).ToList();
        if (management.Value.ListTenantDatabases)
        {
            foreach (var snapshot in tenants)
            {
                databases[snapshot.Database] = ToStats(snapshot.Database, snapshot);
            }
        }

        using var process = Process.GetCurrentProcess();
        var memory = new MemoryStats(
            process.WorkingSet64,
            process.PrivateMemorySize64,
            GC.GetGCMemoryInfo().HeapSizeBytes,
            GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalSeconds);
        var delivery = new DeliveryStats(slowConsumers.BufferingConnections, slowConsumers.DisconnectedConnections);
        var backplaneStats = backplane is null
            ? null
            : backplane.DownSince is { } downSince ? new BackplaneStats(false, downSince) : new BackplaneStats(backplane.Started, null);
        var limits = new LimitStats(budget.InUse, budget.Limit, budget.Refused, negotiations.Count);
        return new StatsReport(instance.Id, instance.StartedAt, connections.Current, memory, delivery, backplaneStats, databases, tenants.Count, limits);
    }

    private DatabaseStats ToStats(string database, ListenerSnapshot? snapshot) => new(
        subscriptions.SubscribersOf(database),
        snapshot?.Subscriptions ?? 0,
        snapshot?.State == ListenerState.Listening,
        ListenerStateNames.Of(snapshot?.State ?? ListenerState.Idle),
        snapshot?.Channels ?? [],
        snapshot?.NotificationsReceived ?? 0,
        snapshot?.LastNotificationAt,
        snapshot?.Reconnects ?? 0,
        ErrorSummary.Of(snapshot?.LastError),
        snapshot?.PendingDeliveries ?? 0,
        outboxes.SnapshotOf(database) is { } outbox
            ? new OutboxStats(outbox.Reading, outbox.Position, outbox.RowsSent, outbox.OldestTransactionSeconds)
            : null);
}
