namespace Hub.Server.Databases;

/// <summary>
/// A database needs a PostgreSQL connection that <see cref="DatabaseConnectionBudget"/> has not got left.
/// </summary>
public sealed class DatabaseConnectionsExhaustedException : Exception
{
    /// <summary>Creates the exception for <paramref name="database"/>, refused under <paramref name="limit"/>.</summary>
    public DatabaseConnectionsExhaustedException(string database, int limit)
        : base($"Database '{database}' needs a PostgreSQL connection beyond the {limit} the hub may open.")
    {
        Database = database;
        Limit = limit;
    }

    /// <summary>The database refused.</summary>
    public string Database { get; }

    /// <summary>The connections the hub may open in all.</summary>
    public int Limit { get; }
}
