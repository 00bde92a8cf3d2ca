using System.Text.RegularExpressions;
using Hub.Server.Contracts;

namespace Hub.Server.Databases;

/// <summary>
/// The rules for the database and channel names the hub accepts.
/// </summary>
/// <remarks>
/// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1), so a longer name would silently
/// listen on a different channel than the one the client asked for. Names are restricted to ASCII
/// letters, digits, '_' and '$' so that look-alike characters cannot impersonate a configured name.
/// </remarks>
public static partial class PostgresNames
{
    /// <summary>The longest identifier PostgreSQL keeps without truncating it.</summary>
    public const int MaxIdentifierBytes = NameLimits.MaxBytes;

    /// <summary>Whether <paramref name="name"/> is a channel name the hub can configure and LISTEN on.</summary>
    public static bool IsValidChannel(string? name)
        => name is not null && ChannelPattern().IsMatch(name);

    /// <summary>Whether <paramref name="name"/> is a database name clients may use (channel rules plus '-').</summary>
    public static bool IsValidDatabase(string? name)
        => name is not null && DatabasePattern().IsMatch(name);

    /// <summary>Whether <paramref name="name"/> fits in a PostgreSQL identifier without truncation.</summary>
    public static bool FitsIdentifier(string name) => NameLimits.Fits(name);

    /// <summary>Quotes <paramref name="name"/> as a PostgreSQL identifier, doubling embedded quotes.</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_$]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_$\-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DatabasePattern();
}
