using Hub.Server.Security;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Hub.Server.Http;

/// <summary>
/// Maps the Prometheus scraping endpoint behind the management access rules.
/// </summary>
public static class MetricsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /metrics</c> (Prometheus text format) unless <c>Hub:Telemetry:PrometheusEndpoint</c> is false.
    /// </summary>
    public static IEndpointRouteBuilder MapHubMetrics(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusEndpoint)
        {
            endpoints.MapPrometheusScrapingEndpoint(TelemetryServiceCollectionExtensions.MetricsPath).RequireManagementAccess();
        }

        return endpoints;
    }
}
