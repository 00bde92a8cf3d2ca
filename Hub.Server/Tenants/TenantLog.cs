using Hub.Server.Telemetry;

namespace Hub.Server.Tenants;

internal static partial class TenantLog
{
    [LoggerMessage(EventId = HubEventIds.TenantLookedUp, EventName = "TenantLookedUp", Level = LogLevel.Debug,
        Message = "Tenant database '{Database}' looked up: {Exists}.")]
    public static partial void LookedUp(ILogger logger, string database, bool exists);

    [LoggerMessage(EventId = HubEventIds.TenantLookupFailed, EventName = "TenantLookupFailed", Level = LogLevel.Warning,
        Message = "Could not check whether tenant database '{Database}' exists on {Server}; refusing it for now.")]
    public static partial void LookupFailed(ILogger logger, string database, string server, Exception exception);

    [LoggerMessage(EventId = HubEventIds.TenantLookupsThrottled, EventName = "TenantLookupsThrottled", Level = LogLevel.Information,
        Message = "Not looking up tenant database '{Database}': more than {PerSecond} new names per second.")]
    public static partial void Throttled(ILogger logger, string database, int perSecond);

    [LoggerMessage(EventId = HubEventIds.TenantDatabasesEnabled, EventName = "TenantDatabasesEnabled", Level = LogLevel.Information,
        Message = "Tenant databases: names matching '{Pattern}' on {Server}, channels {Channels}.")]
    public static partial void Enabled(ILogger logger, string pattern, string server, IEnumerable<string> channels);
}
