using Npgsql;

namespace Hub.Server.Security;

/// <summary>
/// Makes connection strings safe to log or show.
/// </summary>
public static class ConnectionStrings
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>
    /// The connection string with its password and SSL key password masked. A string that does not parse is
    /// not echoed at all, since the parse failure may be right next to a secret.
    /// </summary>
    public static string Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return string.Empty;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = Mask;
        }

        if (!string.IsNullOrEmpty(builder.SslPassword))
        {
            builder.SslPassword = Mask;
        }

        return builder.ConnectionString;
    }
}
