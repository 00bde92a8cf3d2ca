using Hub.Server.Databases;
using Hub.Server.Security;

namespace Hub.Server.Http;

/// <summary>
/// <c>GET /api/databases</c>: the configured databases the caller may subscribe to, with their channels, whether it
/// may publish there and whether the database keeps a durable stream (<c>SubscribeFrom</c> resumes it), so that a page (the live page) can offer them without the management access
/// <c>/api/stats</c> needs. A database the caller may not use is not listed, as the hub answers it "not available".
/// </summary>
public static class CallerDatabasesEndpoint
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/api/databases";

    /// <summary>Maps <see cref="Path"/>, open to the callers the hub itself lets in.</summary>
    public static IEndpointRouteBuilder MapCallerDatabasesEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, static (HttpContext http, DatabaseRegistry registry, DatabaseAuthorizer authorizer) => Results.Json(new
        {
            databases = registry.Databases
                .Where(d => authorizer.IsAllowed(http.User, d.Name, DatabaseRight.Subscribe))
                .OrderBy(static d => d.Name, StringComparer.Ordinal)
                .Select(d => new { name = d.Name, channels = d.Channels, publish = authorizer.IsAllowed(http.User, d.Name, DatabaseRight.Publish), outbox = d.Outbox is not null })
                .ToArray(),
        })).RequireAuthorization(SecurityPolicies.HubCaller);
        return endpoints;
    }
}
