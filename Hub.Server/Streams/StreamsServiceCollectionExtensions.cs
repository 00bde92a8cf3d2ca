using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Listening;
using Hub.Server.Tenants;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Hub.Server.Streams;

/// <summary>
/// Registers durable streams: outbox databases' readers, <c>SubscribeFrom</c>, and the validation of their options.
/// </summary>
public static class StreamsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the outbox readers (driven by each outbox database's listener), the replay service behind
    /// <c>SubscribeFrom</c> and the recovery of gaps in live delivery, their pools, metrics and the startup validation of <c>Outbox</c> settings.
    /// </summary>
    public static IServiceCollection AddDurableStreams(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<RegistryOptions>, OutboxOptionsValidator>();
        services.AddSingleton<IValidateOptions<TenantOptions>, OutboxOptionsValidator>();
        services.AddSingleton<OutboxDataSources>();
        services.AddSingleton<OutboxSchemaInstaller>();
        services.AddSingleton<OutboxReaders>();
        services.AddSingleton<IDatabaseStreamReaderFactory>(static sp => sp.GetRequiredService<OutboxReaders>());
        services.AddSingleton<StreamReplay>();
        services.AddSingleton<StreamReplayService>();
        services.AddSingleton<StreamConnections>();
        services.AddSingleton<StreamGapRecovery>();
        services.AddSingleton<IDeliveryGapRecovery>(static sp => sp.GetRequiredService<StreamGapRecovery>());
        services.AddOptions<HubOptions>().Configure<StreamConnections>(static (options, connections) => options.AddFilter(connections));
        services.AddSingleton<OutboxMetrics>();
        services.ConfigureOpenTelemetryMeterProvider(static metrics => metrics.AddInstrumentation(static sp => sp.GetRequiredService<OutboxMetrics>()));
        return services;
    }
}
