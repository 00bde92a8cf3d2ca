using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Builds the <see cref="SecurityPolicies"/> from <see cref="AuthOptions"/> and <see cref="ManagementOptions"/>.
/// </summary>
internal sealed class AuthorizationSetup(IOptions<AuthOptions> auth, IOptions<ManagementOptions> management)
    : IConfigureOptions<AuthorizationOptions>
{
    public void Configure(AuthorizationOptions options)
    {
        options.AddPolicy(SecurityPolicies.HubCaller, policy =>
        {
            // Naming the scheme keeps the bearer ticket (and its expiry) as the request's authentication result;
            // without it the authorization middleware replaces it by one without an expiry, and SignalR would
            // never close a connection whose token expired.
            policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme);
            if (auth.Value.AnonymousAllowed)
            {
                policy.RequireAssertion(static _ => true);
            }
            else
            {
                policy.RequireAuthenticatedUser();
            }
        });

        options.AddPolicy(SecurityPolicies.Management, policy =>
        {
            policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme);
            var role = management.Value.EffectiveRole;
            if (string.IsNullOrWhiteSpace(role))
            {
                policy.RequireAssertion(static _ => true);
                return;
            }

            // Identity providers name the role claim differently; accept the common spellings.
            policy.RequireAuthenticatedUser().RequireAssertion(context =>
                context.User.HasClaim("role", role) || context.User.HasClaim("roles", role) || context.User.IsInRole(role));
        });
    }
}
