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
}
