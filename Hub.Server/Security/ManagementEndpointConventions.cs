using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Restricts management endpoints as <see cref="ManagementOptions"/> says.
/// </summary>
public static class ManagementEndpointConventions
{
    /// <summary>
    /// Requires the <see cref="SecurityPolicies.Management"/> policy and, when <see cref="ManagementOptions.Port"/>
    /// is set, answers only requests that arrived on that port.
    /// </summary>
    public static TBuilder RequireManagementAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireAuthorization(SecurityPolicies.Management);
        builder.Add(static endpoint =>
        {
            var options = endpoint.ApplicationServices.GetRequiredService<IOptions<ManagementOptions>>().Value;
            if (options.Port is { } port)
            {
                endpoint.Metadata.Add(new HostAttribute($"*:{port}"));
            }
        });
        return builder;
    }
}
