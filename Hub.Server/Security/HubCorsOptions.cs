namespace Hub.Server.Security;

/// <summary>
/// Which browser origins may call the hub, bound from <c>Hub:Cors</c>. None by default: a browser page served
/// from another origin is refused until its origin is listed.
/// </summary>
public sealed class HubCorsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Cors";

    /// <summary>Exact origins (<c>https://app.example.com</c>) allowed to connect, with credentials.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
