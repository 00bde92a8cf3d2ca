namespace Hub.Server.Http;

/// <summary>
/// Slow consumers in <c>GET /api/stats</c>: what the hub holds back for clients that do not keep up.
/// </summary>
/// <param name="BufferingConnections">Connections whose transport is full and for which the hub holds messages now.</param>
/// <param name="SlowConsumersDisconnected">Connections disconnected for staying over the buffer bound, since start.</param>
public sealed record DeliveryStats(long BufferingConnections, long SlowConsumersDisconnected);
