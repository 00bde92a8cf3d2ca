namespace Hub.Server.Security;

/// <summary>
/// Who may read the management endpoints (<c>/api/stats</c>, <c>/metrics</c>), bound from <c>Hub:Management</c>.
/// Both unset (the default) leaves them open, as on a private network.
/// </summary>
public sealed class ManagementOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Management";

    /// <summary>A role the caller's token must carry (claim <c>role</c> or <c>roles</c>).</summary>
    public string? RequireRole { get; set; }

    /// <summary>
    /// A port the management endpoints answer on, and only on it; the server must listen on it too
    /// (for example <c>--urls "http://0.0.0.0:5080;http://127.0.0.1:5081"</c>).
    /// </summary>
    public int? Port { get; set; }
}
