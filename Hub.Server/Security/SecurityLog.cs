using Hub.Server.Telemetry;

namespace Hub.Server.Security;

internal static partial class SecurityLog
{
    [LoggerMessage(EventId = HubEventIds.AnonymousAccessEnabled, EventName = "AnonymousAccessEnabled", Level = LogLevel.Warning,
        Message = "ANONYMOUS ACCESS IS ON (Hub:Auth:AllowAnonymous): anyone who can reach this hub may subscribe to every database{Publish}. Never run like this on a public network.")]
    public static partial void AnonymousAccessEnabled(ILogger logger, string publish);

    [LoggerMessage(EventId = HubEventIds.TokenAuthentication, EventName = "TokenAuthentication", Level = LogLevel.Information,
        Message = "Callers authenticate with JWT bearer tokens (issuer {Issuer}, audience {Audience}, authority {Authority}, signing key {SigningKey}); claim '{DatabaseClaim}' grants subscribing, '{PublishClaim}' publishing.")]
    public static partial void TokenAuthentication(ILogger logger, string? issuer, string? audience, string? authority, string signingKey, string databaseClaim, string publishClaim);

    [LoggerMessage(EventId = HubEventIds.DatabaseConfigured, EventName = "DatabaseConfigured", Level = LogLevel.Information,
        Message = "Database '{Database}': {ConnectionString}, channels {Channels}.")]
    public static partial void DatabaseConfigured(ILogger logger, string database, string connectionString, IEnumerable<string> channels);

    [LoggerMessage(EventId = HubEventIds.CorsOrigins, EventName = "CorsOrigins", Level = LogLevel.Information,
        Message = "Browser origins allowed to call the hub: {Origins}.")]
    public static partial void CorsOrigins(ILogger logger, IEnumerable<string> origins);

    [LoggerMessage(EventId = HubEventIds.HubMethodFailed, EventName = "HubMethodFailed", Level = LogLevel.Error,
        Message = "Hub method {Method} of connection {ConnectionId} failed.")]
    public static partial void HubMethodFailed(ILogger logger, string method, string connectionId, Exception exception);
}
