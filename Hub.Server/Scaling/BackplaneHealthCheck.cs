using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hub.Server.Scaling;

/// <summary>
/// Readiness of the Redis backplane: degraded, not unhealthy, while it is away, because the instance keeps its clients
/// and its listeners and catches up by itself once Redis is back; taking it out of rotation would only move its clients.
/// </summary>
public sealed class BackplaneHealthCheck(RedisBackplane backplane) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!backplane.Started)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The Redis backplane connects on first use."));
        }

        return Task.FromResult(backplane.DownSince is { } since
            ? HealthCheckResult.Degraded(
                $"The Redis backplane is unreachable since {since:O}.",
                data: new Dictionary<string, object> { ["backplaneDownSince"] = since })
            : HealthCheckResult.Healthy("The Redis backplane is connected."));
    }
}
