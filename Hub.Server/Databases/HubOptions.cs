namespace Hub.Server.Databases;

/// <summary>
/// The <c>Hub</c> configuration section: the databases clients may subscribe to and how instances scale out.
/// </summary>
public sealed class HubOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub";

    /// <summary>
    /// The databases clients may subscribe to, by the name clients use.
    /// </summary>
    public Dictionary<string, DatabaseOptions> Databases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The Redis configuration string of the SignalR backplane. Empty means a single instance with in-memory groups.
    /// </summary>
    public string? Redis { get; set; }
}
