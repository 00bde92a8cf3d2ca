using System.Text;

namespace Hub.Server.Contracts;

/// <summary>
/// How long a database or channel name may be. PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1), so a
/// longer name would silently address a different channel; the hub refuses it with a message that gives the limit.
/// </summary>
public static class NameLimits
{
    /// <summary>The longest name, in UTF-8 bytes, that PostgreSQL keeps without truncating it.</summary>
    public const int MaxBytes = 63;

    /// <summary>Whether <paramref name="name"/> fits in a PostgreSQL identifier without truncation.</summary>
    public static bool Fits(string name) => Encoding.UTF8.GetByteCount(name) <= MaxBytes;
}
