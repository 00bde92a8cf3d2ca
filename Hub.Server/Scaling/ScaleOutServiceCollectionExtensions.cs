using Hub.Server.Delivery;
using Hub.Server.Hosting;
using Hub.Server.Listening;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hub.Server.Scaling;

/// <summary>
/// Registers what several instances need to serve clients as one: the Redis backplane, one listener per database
/// for the whole cluster, and the backplane's health.
/// </summary>
public static class ScaleOutServiceCollectionExtensions
{
    /// <summary>
    /// With <c>Hub:Redis</c> set, adds SignalR's Redis backplane (channels prefixed with
    /// <see cref="ScaleOutOptions.ChannelPrefix"/>) and makes listeners compete for each database's advisory lock.
    /// Without it, every instance is on its own, as a single instance is.
    /// </summary>
    public static ISignalRServerBuilder AddNotificationHubScaleOut(this ISignalRServerBuilder signalR, IConfiguration configuration, string readyTag)
    {
        ArgumentNullException.ThrowIfNull(signalR);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = signalR.Services;
        services.AddValidatedOptions<ScaleOutOptions, ScaleOutOptionsValidator>(configuration, ScaleOutOptions.SectionName);
        // Overwrites whatever Hub:ScaleOut:Redis bound: the one key is Hub:Redis.
        services.Configure<ScaleOutOptions>(options => options.Redis = configuration[ScaleOutOptions.RedisKey]);
        services.AddSingleton<IValidateOptions<ScaleOutOptions>, RedisConfigurationValidator>();

        // Read here rather than through IOptions: whether there is a backplane decides which services exist at all.
        var redis = configuration[ScaleOutOptions.RedisKey];
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddSingleton<IListenerLeadership, SingleInstanceLeadership>();
            return signalR;
        }

        services.AddSingleton<IListenerLeadership, AdvisoryLockLeadership>();
        // Inline socket scheduling measured slower with the backplane (docs/benchmarks.md): off unless configured.
        services.PostConfigure<DeliveryOptions>(static options => options.InlineSocketScheduling ??= false);
        services.AddSingleton<LocalConnections>();
        services.AddSingleton<BackplaneResync>();
        services.AddSingleton<RedisBackplane>();
        services.AddOptions<HubOptions>()
            .Configure<LocalConnections>(static (options, connections) => options.AddFilter(connections));

        signalR.AddStackExchangeRedis();
        services.AddOptions<RedisOptions>()
            .Configure<IOptions<ScaleOutOptions>, RedisBackplane>((options, scaleOut, backplane) =>
            {
                // Runs while the hosted services are built, before options validation: leave a bad string to
                // RedisConfigurationValidator, which stops startup naming the key.
                if (RedisConfigurationValidator.TryParse(redis, out _) is not { } configurationOptions)
                {
                    return;
                }

                // Keep trying in the background when Redis is down at startup, instead of failing the first hub call.
                configurationOptions.AbortOnConnectFail = false;
                configurationOptions.ChannelPrefix = RedisChannel.Literal(scaleOut.Value.ChannelPrefix);
                options.Configuration = configurationOptions;
                options.ConnectionFactory = log => backplane.ConnectAsync(configurationOptions, scaleOut.Value.ChannelPrefix, log);
            });
        services.AddHealthChecks().AddCheck<BackplaneHealthCheck>("backplane", tags: [readyTag]);
        return signalR;
    }

    /// <summary>
    /// With <c>Hub:Redis</c> set, carries notifications between instances on the hub's own envelope channel: the
    /// delivery queues publish through <see cref="EnvelopeChannelPublisher"/> (replacing the fan-out as their sender),
    /// every instance fans out what it receives (<see cref="EnvelopeChannelReceiver"/>), and the groups of the hub's
    /// WebSocket connections stay local (<see cref="ClusterGroupsHubLifetimeManager{THub}"/>). Call after
    /// <c>AddBoundedDelivery</c>. <paramref name="signalRTransports"/> says whether connections on SignalR's own
    /// transports may exist; the leader then also sends through SignalR's backplane for them.
    /// </summary>
    public static IServiceCollection AddEnvelopeChannel<THub>(this IServiceCollection services, IConfiguration configuration, bool signalRTransports)
        where THub : Microsoft.AspNetCore.SignalR.Hub
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration[ScaleOutOptions.RedisKey]))
        {
            return services;
        }

        services.AddSingleton<HubLifetimeManager<THub>, ClusterGroupsHubLifetimeManager<THub>>();
        services.AddSingleton<EnvelopeChannelConnection>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<EnvelopeChannelPublisher>(
            sp, sp.GetRequiredService<NotificationFanout<THub>>(), signalRTransports));
        services.AddSingleton<IEnvelopeSender>(static sp => sp.GetRequiredService<EnvelopeChannelPublisher>());
        services.AddSingleton<EnvelopeChannelReceiver>();
        services.AddHostedService(static sp => sp.GetRequiredService<EnvelopeChannelReceiver>());
        return services;
    }
}
