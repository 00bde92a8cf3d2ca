using System.Text;
using Hub.Server.Databases;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Subscriptions;

/// <summary>
/// The refusals a client can get from <c>Subscribe</c> and <c>Unsubscribe</c>, worded in one place.
/// </summary>
/// <remarks>
/// An unknown database and one the caller may not use get the same message, so the answer never tells
/// a caller which databases exist.
/// </remarks>
public static class SubscriptionErrors
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
    }

    /// <summary>No database name was given.</summary>
    public static HubException DatabaseRequired() => new("database name is required");

    /// <summary>The database name cannot be a PostgreSQL name.</summary>
    public static HubException DatabaseTooLong() => new($"database name must be at most {PostgresNames.MaxIdentifierBytes} bytes");

    /// <summary>The database does not exist or the caller may not use it.</summary>
    public static HubException DatabaseNotAvailable(string database) => new($"database '{Printable(database)}' is not available");

    /// <summary>An empty channel name was given (null means every channel).</summary>
    public static HubException ChannelEmpty() => new("channel name must not be empty (pass null for every channel of the database)");

    /// <summary>The channel name cannot be a PostgreSQL name.</summary>
    public static HubException ChannelTooLong() => new($"channel name must be at most {PostgresNames.MaxIdentifierBytes} bytes");

    /// <summary>The channel is not in the database's allowed list.</summary>
    public static HubException ChannelNotAllowed(string database, string channel)
        => new($"channel name '{Printable(channel)}' is not allowed for database '{Printable(database)}'");

    /// <summary>The database's listener could not connect or LISTEN in time.</summary>
    public static HubException DatabaseUnreachable(string database) => new($"database '{Printable(database)}' is unreachable");

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
