namespace Hub.Server.Databases;

/// <summary>
/// The answer of <see cref="DatabaseRegistry.FindAsync"/>.
/// </summary>
/// <param name="Database">The database, or null when there is none by that name (or none the hub may admit).</param>
/// <param name="RateLimited">The name needed a lookup and the hub is looking up as many names per second as it may.</param>
public readonly record struct DatabaseLookup(DatabaseDefinition? Database, bool RateLimited)
{
    /// <summary>No such database.</summary>
    public static DatabaseLookup NotFound => default;

    /// <summary>Not looked up now: too many lookups.</summary>
    public static DatabaseLookup Throttled => new(null, true);

    /// <summary>Found <paramref name="database"/>.</summary>
    public static DatabaseLookup Found(DatabaseDefinition database) => new(database, false);
}
