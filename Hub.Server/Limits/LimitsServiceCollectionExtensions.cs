using Hub.Server.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Registers what one client may use.
/// </summary>
public static class LimitsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the limits of <c>Hub:Limits</c>: the largest message a client may send, the hub filter that enforces
    /// the per-user connection limit and the per-connection call rate, the refusal log's per-connection budget, the
    /// count of negotiations that have not connected yet and the call-rate cool-downs (whose middleware the security part adds).
    /// </summary>
    public static IServiceCollection AddHubLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LimitOptions, LimitOptionsValidator>(configuration, LimitOptions.SectionName);
        services.AddSingleton<UserConnections>();
        services.AddSingleton<RefusalLog>();
        services.AddSingleton<PendingNegotiations>();
        services.AddSingleton<NegotiationRefusalLog>();
        services.AddSingleton<CallRateCooldowns>();
        services.AddSingleton<HubLimitsFilter>();
        services.AddOptions<HubOptions>().Configure<IOptions<LimitOptions>>(static (hub, limits) =>
        {
            hub.MaximumReceiveMessageSize = limits.Value.MaximumReceiveMessageSize;
            hub.AddFilter<HubLimitsFilter>();
        });
        return services;
    }
}
