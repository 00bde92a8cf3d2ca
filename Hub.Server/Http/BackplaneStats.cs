namespace Hub.Server.Http;

/// <summary>
/// The Redis backplane in <c>GET /api/stats</c>; absent when the instance runs without one.
/// </summary>
/// <param name="Connected">Whether the backplane is connected now (false until its first connection attempt).</param>
/// <param name="DownSince">Since when it has been unreachable, UTC, or null while it is connected.</param>
public sealed record BackplaneStats(bool Connected, DateTime? DownSince);
