using Hub.Server.Listening;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hub.Server.Http;

/// <summary>
/// Readiness of the listeners: degraded, not unhealthy, while a database is unreachable, because the
/// instance still serves every other database and its clients should stay connected.
/// </summary>
public sealed class ListenerHealthCheck(ListenerManager listeners) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = listeners.Snapshot()
            .Where(static s => s.State is ListenerState.Reconnecting or ListenerState.Offline)
            .ToDictionary(static s => s.Database, static s => (object)(ErrorSummary.Of(s.LastError) ?? s.State.ToString()), StringComparer.Ordinal);
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy("Every listener is connected or idle.")
            : HealthCheckResult.Degraded($"{failing.Count} database(s) unreachable.", data: failing));
    }
}
