using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Hub.Server.Databases;

/// <summary>
/// The databases clients may subscribe to, built once from validated <see cref="HubOptions"/>.
/// </summary>
public sealed class DatabaseRegistry
{
    private readonly Dictionary<string, DatabaseDefinition> _databases;

    /// <summary>Creates the registry from the bound and validated options.</summary>
    public DatabaseRegistry(IOptions<HubOptions> options)
    {
        _databases = options.Value.Databases.ToDictionary(
            static pair => pair.Key,
            static pair => new DatabaseDefinition(pair.Key, pair.Value.ConnectionString, pair.Value.Channels.ToArray()),
            StringComparer.Ordinal);
    }

    /// <summary>The configured databases.</summary>
    public IEnumerable<DatabaseDefinition> Databases => _databases.Values;

    /// <summary>Finds the database clients know as <paramref name="name"/>; names are case-sensitive.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out DatabaseDefinition? database)
        => _databases.TryGetValue(name, out database);
}
