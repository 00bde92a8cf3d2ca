namespace Hub.Server.Security;

/// <summary>
/// Puts the limits on negotiations and new connections in front of the hub.
/// </summary>
public static class NegotiateLimitApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the middleware that refuses a negotiation or new connection with 429 while its user (or address) cools down
    /// after a connection was closed for its call rate, then the one that refuses a negotiation with 429 when its user,
    /// its address or the hub has as many that have not connected yet as <c>Hub:Limits</c> allows. Add them after
    /// authentication, before the hub's endpoints.
    /// </summary>
    public static IApplicationBuilder UseNegotiateLimits(this IApplicationBuilder app)
        => app.UseMiddleware<CallRateCooldownMiddleware>().UseMiddleware<NegotiateLimitMiddleware>();
}
