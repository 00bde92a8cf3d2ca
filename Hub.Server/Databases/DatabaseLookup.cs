namespace Hub.Server.Databases;

/// <summary>
/// The answer of <see cref="DatabaseRegistry.FindAsync"/>.
/// </summary>
/// <param name="Database">The database, or null when there is none by that name (or none the hub may admit).</param>
/// <param name="Throttle">The name needed a lookup and this budget of lookups per second was spent.</param>
public readonly record struct DatabaseLookup(DatabaseDefinition? Database, LookupThrottle Throttle)
{
    /// <summary>No such database.</summary>
    public static DatabaseLookup NotFound => default;

    /// <summary>Not looked up now: the caller's lookups per second are spent.</summary>
    public static DatabaseLookup ThrottledForUser => new(null, LookupThrottle.User);

    /// <summary>Not looked up now: the hub's lookups per second are spent.</summary>
    public static DatabaseLookup Throttled => new(null, LookupThrottle.Hub);

    /// <summary>Found <paramref name="database"/>.</summary>
    public static DatabaseLookup Found(DatabaseDefinition database) => new(database, LookupThrottle.None);
}
