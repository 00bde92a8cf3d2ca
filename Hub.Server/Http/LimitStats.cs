namespace Hub.Server.Http;

/// <summary>
/// What the hub-wide limits hold in <c>GET /api/stats</c>.
/// </summary>
/// <param name="DatabaseConnections">PostgreSQL connections the hub holds or may open now (listeners, outbox pools, publisher pools).</param>
/// <param name="MaxDatabaseConnections">The most it may (<c>Hub:Limits:MaxDatabaseConnections</c>).</param>
/// <param name="DatabaseConnectionsRefused">Connections refused for the cap since start.</param>
/// <param name="PendingNegotiations">Negotiations whose connection has not arrived yet.</param>
public sealed record LimitStats(int DatabaseConnections, int MaxDatabaseConnections, long DatabaseConnectionsRefused, int PendingNegotiations);
