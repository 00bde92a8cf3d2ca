using Hub.Server.Telemetry;

namespace Hub.Server.Databases;

internal static partial class DatabasesLog
{
    [LoggerMessage(EventId = HubEventIds.DatabaseConnectionsExhausted, EventName = "DatabaseConnectionsExhausted", Level = LogLevel.Warning,
        Message = "Database '{Database}' was refused {Connections} PostgreSQL connection(s): the hub holds {InUse} of the {Limit} it may open (Hub:Limits:MaxDatabaseConnections). Further refusals are logged at Debug until a connection is given back.")]
    public static partial void Exhausted(ILogger logger, string database, int connections, int inUse, int limit);

    [LoggerMessage(EventId = HubEventIds.DatabaseConnectionRefused, EventName = "DatabaseConnectionRefused", Level = LogLevel.Debug,
        Message = "Database '{Database}' was refused {Connections} PostgreSQL connection(s): {InUse} of {Limit} in use.")]
    public static partial void Refused(ILogger logger, string database, int connections, int inUse, int limit);
}
