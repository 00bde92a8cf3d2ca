using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Hub.Server.Scaling;

/// <summary>
/// The PostgreSQL advisory-lock keys of the hub, built in one place.
/// </summary>
/// <remarks>
/// Every instance, whatever its runtime or version, must derive the same key for a database, so the key comes from
/// SHA-256 rather than <see cref="string.GetHashCode()"/> (randomized per process). The fixed prefix keeps the hub's
/// keys apart from advisory locks the application itself takes on the same database.
/// </remarks>
public static class AdvisoryLockKeys
{
    private const string ListenerPrefix = "notify-hub:listener:";

    /// <summary>The key of the session lock held by the one instance that listens to <paramref name="database"/>.</summary>
    public static long ForListener(string database)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(ListenerPrefix + database), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }
}
