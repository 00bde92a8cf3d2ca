using Microsoft.Extensions.Options;

namespace Hub.Server.Databases;

/// <summary>
/// The databases clients may subscribe to: the fixed list, built once from validated <see cref="RegistryOptions"/>,
/// and the tenant databases <see cref="ITenantDatabases"/> admits by name.
/// </summary>
public sealed class DatabaseRegistry
{
    private readonly Dictionary<string, DatabaseDefinition> _databases;
    private readonly ITenantDatabases _tenants;

    /// <summary>Creates the registry from the bound and validated options.</summary>
    public DatabaseRegistry(IOptions<RegistryOptions> options, ITenantDatabases tenants)
    {
        _tenants = tenants;
        _databases = options.Value.Databases.ToDictionary(
            static pair => pair.Key,
            static pair => new DatabaseDefinition(pair.Key, pair.Value.ConnectionString, pair.Value.Channels.ToArray(), pair.Value.Outbox.Enabled ? pair.Value.Outbox : null),
            StringComparer.Ordinal);
    }

    /// <summary>The configured databases (not the tenant databases).</summary>
    public IEnumerable<DatabaseDefinition> Databases => _databases.Values;

    /// <summary>
    /// Finds the configured or tenant database clients know as <paramref name="name"/>. A configured database is
    /// answered at once, without allocating; a tenant name may need a (cached, rate-limited) lookup, counted against
    /// <paramref name="user"/>'s budget.
    /// </summary>
    public ValueTask<DatabaseLookup> FindAsync(string name, string user, CancellationToken cancellationToken)
        => _databases.TryGetValue(name, out var database)
            ? ValueTask.FromResult(DatabaseLookup.Found(database))
            : _tenants.FindAsync(name, user, cancellationToken);
}
