namespace Hub.Server.Databases;

/// <summary>
/// The databases admitted by name beyond the configured ones (tenant databases). The registry owns this interface and
/// asks it about every name it does not know; the tenant directory implements it.
/// </summary>
public interface ITenantDatabases
{
    /// <summary>Finds the tenant database <paramref name="name"/>, or none; may look it up (cached, rate-limited).</summary>
    ValueTask<DatabaseLookup> FindAsync(string name, CancellationToken cancellationToken);
}
