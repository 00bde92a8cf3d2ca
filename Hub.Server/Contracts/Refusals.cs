using System.Text;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Contracts;

/// <summary>
/// Every refusal a client can get from the hub (Subscribe, SubscribeFrom, Unsubscribe, Publish, connection and call limits), with
/// its reason tag and its message, worded in one place.
/// </summary>
/// <remarks>
/// An unknown database and one the caller may not use get the same message, so the answer never tells
/// a caller which databases exist.
/// </remarks>
public static class Refusals
{
    /// <summary>The reason tag of each refusal, for logs and metrics.</summary>
    public static class Reasons
    {
        /// <summary>The database name is missing, too long or unknown.</summary>
        public const string DatabaseNotAvailable = "database_not_available";

        /// <summary>The channel name is empty, too long or not allowed.</summary>
        public const string ChannelNotAllowed = "channel_not_allowed";

        /// <summary>The database could not be reached in time.</summary>
        public const string DatabaseUnreachable = "database_unreachable";

        /// <summary>The database exists or may exist, but the caller's token does not grant it (the caller is told "not available").</summary>
        public const string AccessDenied = "access_denied";

        /// <summary>The caller may not publish to the database.</summary>
        public const string PublishDenied = "publish_denied";

        /// <summary>The payload cannot be a NOTIFY payload.</summary>
        public const string PayloadInvalid = "payload_invalid";

        /// <summary>PostgreSQL refused or failed the NOTIFY.</summary>
        public const string PublishFailed = "publish_failed";

        /// <summary>A limit of <c>Hub:Limits</c> or <c>Hub:Tenants</c> was hit.</summary>
        public const string LimitExceeded = "limit_exceeded";

        /// <summary>A <c>SubscribeFrom</c> position is malformed.</summary>
        public const string PositionInvalid = "position_invalid";

        /// <summary><c>SubscribeFrom</c> was called on a database without a durable stream.</summary>
        public const string NotAnOutbox = "not_an_outbox";

        /// <summary>The database would need a PostgreSQL connection beyond <c>Hub:Limits:MaxDatabaseConnections</c>.</summary>
        public const string DatabaseConnectionsExhausted = "database_connections_exhausted";
    }

    /// <summary>No database name was given.</summary>
    public static HubException DatabaseRequired() => new("database name is required");

    /// <summary>The database name cannot be a PostgreSQL name.</summary>
    public static HubException DatabaseTooLong() => new($"database name must be at most {NameLimits.MaxBytes} bytes");

    /// <summary>The database does not exist or the caller may not use it.</summary>
    public static HubException DatabaseNotAvailable(string database) => new($"database '{Printable(database)}' is not available");

    /// <summary>An empty channel name was given (null means every channel).</summary>
    public static HubException ChannelEmpty() => new("channel name must not be empty (pass null for every channel of the database)");

    /// <summary>The channel name cannot be a PostgreSQL name.</summary>
    public static HubException ChannelTooLong() => new($"channel name must be at most {NameLimits.MaxBytes} bytes");

    /// <summary>The channel is not in the database's allowed list.</summary>
    public static HubException ChannelNotAllowed(string database, string channel)
        => new($"channel name '{Printable(channel)}' is not allowed for database '{Printable(database)}'");

    /// <summary>The database's listener could not connect or LISTEN in time.</summary>
    public static HubException DatabaseUnreachable(string database) => new($"database '{Printable(database)}' is unreachable");

    /// <summary>Publish was called without a channel.</summary>
    public static HubException ChannelRequired() => new("channel name is required to publish");

    /// <summary>The caller's token does not grant publishing to the database.</summary>
    public static HubException PublishNotAllowed(string database) => new($"publishing to database '{Printable(database)}' is not allowed");

    /// <summary>The payload is as long as or longer than PostgreSQL's NOTIFY limit.</summary>
    public static HubException PayloadTooLarge(int bytes, int limit)
        => new($"payload is {bytes} bytes; a NOTIFY payload must be shorter than {limit} bytes (UTF-8)");

    /// <summary>The payload is larger than the outbox database accepts.</summary>
    public static HubException OutboxPayloadTooLarge(int bytes, int limit)
        => new($"payload is {bytes} bytes; this outbox database accepts at most {limit} bytes (UTF-8, Outbox:MaxPayloadBytes)");

    /// <summary>The position is not one the hub wrote (malformed, truncated, edited, another version).</summary>
    public static HubException PositionInvalid() => new("position is not a valid stream position (pass null, or a position a notification or SubscribeFrom returned)");

    /// <summary>The database is a plain NOTIFY database.</summary>
    public static HubException NotAnOutbox(string database)
        => new($"database '{Printable(database)}' has no durable stream (Outbox:Enabled is off); use Subscribe");

    /// <summary>The history of an outbox database could not be read.</summary>
    public static HubException ReplayFailed(string database) => new($"the history of database '{Printable(database)}' could not be read; retry shortly");

    /// <summary>The payload holds a NUL character, which PostgreSQL text cannot.</summary>
    public static HubException PayloadContainsNul() => new("payload must not contain NUL characters (PostgreSQL text cannot hold them)");

    /// <summary>The payload is not valid Unicode (an unpaired surrogate).</summary>
    public static HubException PayloadNotUnicode() => new("payload is not valid Unicode text");

    /// <summary>The NOTIFY failed in the database.</summary>
    public static HubException PublishFailed(string database) => new($"publishing to database '{Printable(database)}' failed");

    /// <summary>The connection holds as many subscriptions as it may.</summary>
    public static HubException TooManySubscriptions(int limit)
        => new($"subscription limit reached: a connection may hold at most {limit} channel subscriptions (Hub:Limits:SubscriptionsPerConnection)");

    /// <summary>The user holds as many connections as it may.</summary>
    public static HubException TooManyConnections(int limit)
        => new($"connection limit reached: a user may hold at most {limit} connections (Hub:Limits:ConnectionsPerUser)");

    /// <summary>The connection calls the hub faster than it may.</summary>
    public static HubException CallRateExceeded(int perSecond)
        => new($"rate limit reached: a connection may make at most {perSecond} calls per second (Hub:Limits:CallsPerSecond); retry shortly");

    /// <summary>The hub looks up new tenant databases as fast as it may.</summary>
    public static HubException TenantLookupsExceeded(int perSecond)
        => new($"rate limit reached: the hub looks up at most {perSecond} new databases per second (Hub:Tenants:LookupsPerSecond); retry shortly");

    /// <summary>The caller looked up as many new tenant databases as one user may.</summary>
    public static HubException UserTenantLookupsExceeded(int perSecond)
        => new($"rate limit reached: a user may look up at most {perSecond} new databases per second (Hub:Tenants:LookupsPerSecondPerUser); retry shortly");

    /// <summary>
    /// The database needs a PostgreSQL connection the hub may not open: it holds as many as
    /// <c>Hub:Limits:MaxDatabaseConnections</c> allows for other databases.
    /// </summary>
    public static HubException DatabaseConnectionsExhausted(string database, int limit)
        => new($"database '{Printable(database)}' cannot be served now: the hub holds the {limit} PostgreSQL connections it may open (Hub:Limits:MaxDatabaseConnections); retry later");

    /// <summary>The user has as many negotiations that have not connected yet as it may (HTTP 429 on <c>/negotiate</c>).</summary>
    public static HubException TooManyPendingNegotiationsForUser(int limit)
        => new($"negotiate limit reached: a user may have at most {limit} negotiations that have not connected yet (Hub:Limits:PendingNegotiationsPerUser); connect or retry shortly");

    /// <summary>The remote address has as many negotiations that have not connected yet as it may (HTTP 429 on <c>/negotiate</c>).</summary>
    public static HubException TooManyPendingNegotiationsForAddress(int limit)
        => new($"negotiate limit reached: an address may have at most {limit} negotiations that have not connected yet (Hub:Limits:PendingNegotiationsPerAddress); connect or retry shortly");

    /// <summary>The hub has as many negotiations that have not connected yet as it keeps (HTTP 429 on <c>/negotiate</c>).</summary>
    public static HubException TooManyPendingNegotiations(int limit)
        => new($"negotiate limit reached: the hub keeps at most {limit} negotiations that have not connected yet (Hub:Limits:MaxPendingNegotiations); retry shortly");

    /// <summary>Escapes control characters so that a hostile name cannot forge log lines or break a client's display.</summary>
    public static string Printable(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
