namespace Hub.Server.Security;

/// <summary>
/// Puts the limit on negotiations that have not connected yet in front of the hub.
/// </summary>
public static class NegotiateLimitApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the middleware that refuses a negotiation with 429 when its user, its address or the hub has as many
    /// that have not connected yet as <c>Hub:Limits</c> allows. Add it after authentication, before the hub's endpoints.
    /// </summary>
    public static IApplicationBuilder UseNegotiateLimits(this IApplicationBuilder app) => app.UseMiddleware<NegotiateLimitMiddleware>();
}
