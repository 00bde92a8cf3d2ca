namespace Hub.Server.Http;

/// <summary>
/// The body of <c>GET /api/stats</c>.
/// </summary>
/// <param name="InstanceId">Which instance answered.</param>
/// <param name="StartedAt">When it started, UTC.</param>
/// <param name="Connections">Hub connections open on this instance.</param>
/// <param name="Memory">The process's memory.</param>
/// <param name="Delivery">Slow consumers.</param>
/// <param name="Backplane">The Redis backplane, or null without one.</param>
/// <param name="Databases">Per configured database, and per tenant database in use when they are listed (<c>Hub:Management:ListTenantDatabases</c>).</param>
/// <param name="TenantDatabases">Tenant databases in use (with a listener) on this instance, listed or not.</param>
/// <param name="Limits">PostgreSQL connections against their cap, and negotiations that have not connected yet.</param>
public sealed record StatsReport(
    string InstanceId,
    DateTime StartedAt,
    long Connections,
    MemoryStats Memory,
    DeliveryStats Delivery,
    BackplaneStats? Backplane,
    IReadOnlyDictionary<string, DatabaseStats> Databases,
    int TenantDatabases,
    LimitStats Limits);
