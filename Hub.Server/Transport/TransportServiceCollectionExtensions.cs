namespace Hub.Server.Transport;

/// <summary>Registers the hub's WebSocket transport.</summary>
public static class TransportServiceCollectionExtensions
{
    /// <summary>Binds <c>Hub:Transport</c> and adds the transport of <typeparamref name="THub"/> and its shared heartbeat.</summary>
    public static IServiceCollection AddHubWebSockets<THub>(this IServiceCollection services, IConfiguration configuration)
        where THub : Microsoft.AspNetCore.SignalR.Hub
    {
        // Two switches, each combination meaningful: nothing to validate beyond what the binder checks.
        services.AddOptions<TransportOptions>().Bind(configuration.GetSection(TransportOptions.SectionName));
        services.AddSingleton<ConnectionHeartbeat>();
        services.AddSingleton<WebSocketTransport<THub>>();
        return services;
    }
}
