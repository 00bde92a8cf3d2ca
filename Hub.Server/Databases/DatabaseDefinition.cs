namespace Hub.Server.Databases;

/// <summary>
/// A database clients may subscribe to, as the registry resolved it.
/// </summary>
/// <param name="Name">The name clients use.</param>
/// <param name="ConnectionString">The Npgsql connection string of the database.</param>
/// <param name="Channels">The channels clients may subscribe to, in configuration order.</param>
/// <param name="Outbox">The durable stream of an outbox database; null for a plain NOTIFY database.</param>
public sealed record DatabaseDefinition(string Name, string ConnectionString, IReadOnlyList<string> Channels, OutboxOptions? Outbox = null)
{
    private readonly HashSet<string> _channelSet = new(Channels, StringComparer.Ordinal);

    /// <summary>Whether clients may subscribe to <paramref name="channel"/> on this database.</summary>
    public bool AllowsChannel(string channel) => _channelSet.Contains(channel);
}
