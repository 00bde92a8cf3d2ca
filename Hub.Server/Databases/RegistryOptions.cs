namespace Hub.Server.Databases;

/// <summary>
/// The databases clients may subscribe to, bound from the <c>Hub</c> section (<c>Hub:Databases</c>).
/// </summary>
public sealed class RegistryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub";

    /// <summary>
    /// The databases clients may subscribe to, by the name clients use.
    /// </summary>
    public Dictionary<string, DatabaseOptions> Databases { get; set; } = new(StringComparer.Ordinal);
}
