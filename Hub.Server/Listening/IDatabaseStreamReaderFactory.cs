using Hub.Server.Databases;

namespace Hub.Server.Listening;

/// <summary>Creates the <see cref="IDatabaseStreamReader"/> of an outbox database; null for a plain NOTIFY database.</summary>
public interface IDatabaseStreamReaderFactory
{
    /// <summary>The stream of <paramref name="database"/>, sending through <paramref name="deliveries"/>, or null.</summary>
    IDatabaseStreamReader? Create(DatabaseDefinition database, IDatabaseSink deliveries);
}
