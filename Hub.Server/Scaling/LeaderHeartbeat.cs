using System.Globalization;
using System.Text.Json;

namespace Hub.Server.Scaling;

/// <summary>
/// The leadership heartbeat in PostgreSQL, built and read in one place: the statement a leader runs, and the view of
/// the current lock holder a standby reads from <c>pg_locks</c> and <c>pg_stat_activity</c>.
/// </summary>
/// <remarks>
/// The heartbeat needs no table: running any statement moves the session's <c>state_change</c>, and
/// <c>pg_stat_activity.query</c> keeps the text of the last one, which carries what the leader has sent so far.
/// Sessions of the same role see both, so every instance of a deployment does.
/// </remarks>
public static class LeaderHeartbeat
{
    private const string Marker = "notify-hub delivered ";
    private const string Nothing = "nothing";

    /// <summary>The statement a leader runs as its heartbeat; <paramref name="delivered"/> becomes a literal (an ISO-8601 time).</summary>
    public static string Sql(DateTime? delivered)
        => $"SELECT '{Marker}{(delivered is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : Nothing)}'";

    /// <summary>
    /// The query for the holder of the lock <c>@high</c>/<c>@low</c> in the current database: one JSON object with its
    /// <c>pid</c>, how many seconds ago its last statement changed state (<c>silent</c>, null when PostgreSQL does not
    /// track activity) and the text of that statement (<c>query</c>). Null when nobody holds the lock.
    /// </summary>
    public const string HolderSql =
        """
        SELECT json_build_object('pid', a.pid, 'silent', extract(epoch FROM clock_timestamp() - a.state_change), 'query', a.query)::text
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = @high AND l.objid::bigint = @low AND l.objsubid = 1
        """;

    /// <summary>Reads the answer of <see cref="HolderSql"/>.</summary>
    public static LockHolder? ParseHolder(object? answer)
    {
        if (answer is not string json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var silent = root.GetProperty("silent");
        return new LockHolder(
            root.GetProperty("pid").GetInt32(),
            silent.ValueKind == JsonValueKind.Number ? TimeSpan.FromSeconds(silent.GetDouble()) : null,
            Delivered(root.GetProperty("query").GetString()));
    }

    /// <summary>What a heartbeat statement says was delivered; null for any other statement.</summary>
    public static DateTime? Delivered(string? query)
    {
        var start = query?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (start < 0)
        {
            return null;
        }

        var value = query![(start + Marker.Length)..].TrimEnd('\'');
        return DateTime.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
    }
}
