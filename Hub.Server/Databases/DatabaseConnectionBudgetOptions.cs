namespace Hub.Server.Databases;

/// <summary>
/// The size of <see cref="DatabaseConnectionBudget"/>, set by the hub's composition from
/// <c>Hub:Limits:MaxDatabaseConnections</c> (the limits are configured and validated in one place, with the others).
/// </summary>
public sealed class DatabaseConnectionBudgetOptions
{
    /// <summary>PostgreSQL connections the hub may open in all.</summary>
    public int MaxConnections { get; set; } = int.MaxValue;
}
