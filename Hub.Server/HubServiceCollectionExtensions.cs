using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Hosting;
using Hub.Server.Http;
using Hub.Server.Hubs;
using Hub.Server.Limits;
using Hub.Server.Listening;
using Hub.Server.Publishing;
using Hub.Server.Scaling;
using Hub.Server.Security;
using Hub.Server.Streams;
using Hub.Server.Subscriptions;
using Hub.Server.Telemetry;
using Hub.Server.Tenants;
using Hub.Server.Transport;
using Microsoft.Extensions.Options;

namespace Hub.Server;

/// <summary>
/// Registers the notification hub's services.
/// </summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>
    /// Adds SignalR (JSON and MessagePack), the database registry and tenants, the listeners, the fan-out with its
    /// slow-consumer bound, publishing, security, telemetry, the Redis scale-out when configured, stats and
    /// health, durable streams of outbox databases, with options bound from <paramref name="configuration"/> and validated at startup.
    /// </summary>
    public static IServiceCollection AddNotificationHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RegistryOptions, RegistryOptionsValidator>(configuration, RegistryOptions.SectionName);
        services.AddValidatedOptions<ListenerOptions, ListenerOptionsValidator>(configuration, ListenerOptions.SectionName);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DatabaseRegistry>();
        services.AddSingleton<DatabaseConnectionBudget>();
        // The cap is a limit like the others: configured and validated with them under Hub:Limits.
        services.AddOptions<DatabaseConnectionBudgetOptions>().Configure<IOptions<LimitOptions>>(
            static (budget, limits) => budget.MaxConnections = limits.Value.MaxDatabaseConnections);
        services.AddSingleton<ConnectionCounter>();
        services.AddSingleton<ListenerManager>();
        services.AddHostedService(static sp => sp.GetRequiredService<ListenerManager>());
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<StatsCollector>();
        services.AddSingleton<IHubStateSource, HubStateSource>();
        services.AddHubSecurity(configuration);
        services.AddHubLimits(configuration);
        services.AddTenantDatabases(configuration);
        services.AddPublishing(configuration);
        services.AddDurableStreams();
        services.AddHubTelemetry(configuration);

        services.AddSignalR().AddExactStringProtocols().AddNotificationHubScaleOut(configuration, HubEndpointRouteBuilderExtensions.ReadyTag);
        // With the Redis backplane the envelope channel brings every notification to every instance, which fans it out
        // on its own local groups; SignalR's local groups are replaced only on a single instance.
        services.AddBoundedDelivery<NotificationHub>(configuration, localGroups: string.IsNullOrWhiteSpace(configuration[ScaleOutOptions.RedisKey]));
        services.AddEnvelopeChannel<NotificationHub>(configuration, signalRTransports:
            configuration.GetValue($"{TransportOptions.SectionName}:{nameof(TransportOptions.FallbackTransports)}", false)
            || !configuration.GetValue($"{TransportOptions.SectionName}:{nameof(TransportOptions.LeanWebSockets)}", true));
        services.AddHubWebSockets<NotificationHub>(configuration);
        services.AddHealthChecks()
            .AddCheck<ListenerHealthCheck>("listeners", tags: [HubEndpointRouteBuilderExtensions.ReadyTag]);
        return services;
    }
}
