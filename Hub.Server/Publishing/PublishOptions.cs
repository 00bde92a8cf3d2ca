namespace Hub.Server.Publishing;

/// <summary>
/// How <c>Publish</c> reaches the databases, bound from <c>Hub:Publish</c>.
/// </summary>
public sealed class PublishOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Publish";

    /// <summary>
    /// The most connections the hub opens to one database for publishing, shared by all clients. Calls beyond
    /// that wait for a free connection (up to <see cref="Timeout"/>). Mind PostgreSQL's <c>max_connections</c>
    /// when many tenant databases share a server: idle connections are closed after <see cref="IdleLifetime"/>.
    /// </summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>
    /// How long a publishing connection may stay idle before the hub closes it (whole seconds): short, so that a
    /// burst of publishes to many tenant databases does not hold their connections for long.
    /// </summary>
    public TimeSpan IdleLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a Publish may wait for a connection and for the NOTIFY.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
