namespace Hub.Server.Security;

/// <summary>
/// The names of the hub's authorization policies.
/// </summary>
public static class SecurityPolicies
{
    /// <summary>Who may connect to the hub: authenticated callers, or anyone when anonymous access is on.</summary>
    public const string HubCaller = "hub:caller";

    /// <summary>Who may read management endpoints (<c>/api/stats</c>, <c>/metrics</c>); see <see cref="ManagementOptions"/>.</summary>
    public const string Management = "hub:management";
}
