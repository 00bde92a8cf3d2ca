namespace Hub.Server.Security;

/// <summary>
/// Who may read the management endpoints (<c>/api/stats</c>, <c>/metrics</c>) and what they show, bound from
/// <c>Hub:Management</c>.
/// </summary>
/// <remarks>
/// Closed by default: a caller needs a token with <see cref="DefaultRole"/>, unless <see cref="RequireRole"/> names
/// another role, <see cref="Port"/> puts the endpoints on a port of their own, or <see cref="AllowAnonymous"/> opens
/// them (which it does when unset and the hub itself lets anonymous callers in, as in Development).
/// </remarks>
public sealed class ManagementOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Management";

    /// <summary>The role required when none is configured and the endpoints are neither open nor on their own port.</summary>
    public const string DefaultRole = "hub:admin";

    /// <summary>A role the caller's token must carry (claim <c>role</c> or <c>roles</c>).</summary>
    public string? RequireRole { get; set; }

    /// <summary>
    /// A port the management endpoints answer on, and only on it; the server must listen on it too
    /// (for example <c>--urls "http://0.0.0.0:5080;http://127.0.0.1:5081"</c>). Without <see cref="RequireRole"/>,
    /// anyone who reaches that port may read them.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>
    /// Whether anyone may read the endpoints, as on a private network. Unset means: as <c>Hub:Auth:AllowAnonymous</c>
    /// resolved, so a hub that requires tokens never exposes its state by omission.
    /// </summary>
    public bool? AllowAnonymous { get; set; }

    /// <summary>
    /// Whether <c>/api/stats</c> lists tenant databases (admitted by <c>Hub:Tenants</c>) by name. Off by default: their
    /// names say who the hub's customers are; the report counts them instead.
    /// </summary>
    public bool ListTenantDatabases { get; set; }

    /// <summary>The role a caller must have, once the defaults have been applied; null when none is needed.</summary>
    public string? EffectiveRole => !string.IsNullOrWhiteSpace(RequireRole)
        ? RequireRole
        : Port is null && AllowAnonymous != true ? DefaultRole : null;
}
