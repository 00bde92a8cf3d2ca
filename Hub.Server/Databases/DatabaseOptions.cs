namespace Hub.Server.Databases;

/// <summary>
/// One database clients may subscribe to, bound from <c>Hub:Databases:{name}</c>.
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>
    /// The Npgsql connection string of the database. The listener opens its own dedicated,
    /// unpooled connection with it.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The NOTIFY channels clients may subscribe to. A subscription without a channel means all of them.
    /// </summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>The database's durable stream (<c>Outbox:Enabled</c> makes it an outbox database).</summary>
    public OutboxOptions Outbox { get; set; } = new();
}
