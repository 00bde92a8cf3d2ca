using Hub.Server.Databases;
using Hub.Server.Delivery;

namespace Hub.Server.Listening;

/// <summary>Creates the <see cref="IDatabaseStreamReader"/> of an outbox database; null for a plain NOTIFY database.</summary>
public interface IDatabaseStreamReaderFactory
{
    /// <summary>The stream of <paramref name="database"/>, sending through <paramref name="deliveries"/>, or null.</summary>
    IDatabaseStreamReader? Create(DatabaseDefinition database, DatabaseOutbox deliveries);
}
