using System.Text;
using Hub.Server.Databases;

namespace Hub.Server.Listening;

/// <summary>The LISTENs and UNLISTENs that bring a connection's channels in line (see <see cref="ListenSet.Plan"/>).</summary>
/// <param name="Listen">The channels to start listening on.</param>
/// <param name="Unlisten">The channels to stop listening on.</param>
public sealed record ListenChange(IReadOnlyList<string> Listen, IReadOnlyList<string> Unlisten)
{
    /// <summary>Whether there is nothing to do.</summary>
    public bool IsEmpty => Listen.Count == 0 && Unlisten.Count == 0;

    /// <summary>
    /// The statements, channel names quoted as identifiers (they come from the configured allow-list, and are never
    /// concatenated unquoted).
    /// </summary>
    public string Sql()
    {
        var sql = new StringBuilder();
        foreach (var channel in Listen)
        {
            sql.Append("LISTEN ").Append(PostgresNames.QuoteIdentifier(channel)).Append(';');
        }

        foreach (var channel in Unlisten)
        {
            sql.Append("UNLISTEN ").Append(PostgresNames.QuoteIdentifier(channel)).Append(';');
        }

        return sql.ToString();
    }
}
