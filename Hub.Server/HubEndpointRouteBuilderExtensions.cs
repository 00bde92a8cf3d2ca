using Hub.Server.Http;
using Hub.Server.Hubs;
using Hub.Server.Security;
using Hub.Server.Contracts;
using Hub.Server.Transport;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Hub.Server;

/// <summary>
/// Maps the hub and its HTTP endpoints.
/// </summary>
public static class HubEndpointRouteBuilderExtensions
{
    /// <summary>The health check tag of the checks behind <c>/health/ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Maps the hub at <see cref="NotificationHubEndpoint.Path"/>, <c>/api/stats</c>, <c>/health/live</c>, <c>/health/ready</c>, <c>/metrics</c>, <c>POST /api/publish</c> and <c>/api/databases</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapNotificationHub(this IEndpointRouteBuilder endpoints)
    {
        var transport = endpoints.ServiceProvider.GetRequiredService<IOptions<TransportOptions>>().Value;
        // A connection whose token expires is closed then; the client reconnects with a fresh token.
        const bool closeOnAuthenticationExpiration = true;
        endpoints.MapHub<NotificationHub>(NotificationHubEndpoint.Path, options =>
            {
                options.CloseOnAuthenticationExpiration = closeOnAuthenticationExpiration;
                if (!transport.FallbackTransports)
                {
                    options.Transports = HttpTransportType.WebSockets;
                }
            })
            .WithHubWebSockets<NotificationHub>(transport, closeOnAuthenticationExpiration)
            .RequireAuthorization(SecurityPolicies.HubCaller);
        endpoints.MapGet("/api/stats", static (StatsCollector stats) => Results.Json(stats.Collect())).RequireManagementAccess();
        endpoints.MapPublishEndpoint();
        endpoints.MapCallerDatabasesEndpoint();
        // Liveness runs no check: a process that answers is alive, whatever its databases do.
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = static _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = static check => check.Tags.Contains(ReadyTag) });
        endpoints.MapHubMetrics();
        return endpoints;
    }
}
