namespace Hub.Server.Http;

/// <summary>
/// Turns a database error into a short category for <c>/api/stats</c> and health data: what went wrong, never
/// PostgreSQL's text, a user or database name, a host or a port. The full error stays in the log.
/// </summary>
public static class ErrorSummary
{
    /// <summary>The category of <paramref name="error"/>, an exception's message; null when there is none.</summary>
    public static string? Of(string? error)
    {
        if (string.IsNullOrEmpty(error))
        {
            return null;
        }

        // PostgreSQL's errors start with their SQLSTATE (Npgsql's PostgresException message is "28P01: ...").
        var sqlState = error.Length > 6 && error[5] == ':' ? error[..5] : null;
        return sqlState switch
        {
            "28P01" or "28000" => "authentication failed",
            "3D000" => "database does not exist",
            "53300" => "too many connections",
            "57P01" or "57P02" or "57P03" => "server unavailable",
            "42501" => "permission denied",
            { } => "database error",
            null when Contains(error, "refused") => "connection refused",
            null when Contains(error, "timeout") || Contains(error, "timed out") => "timeout",
            null when Contains(error, "name or service not known") || Contains(error, "no such host") => "host not found",
            null when Contains(error, "ssl") || Contains(error, "certificate") => "tls failed",
            _ => "connection failed",
        };
    }

    private static bool Contains(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
