using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Decides from a caller's claims which databases it may subscribe and publish to.
/// </summary>
/// <remarks>
/// Each value of <see cref="AuthOptions.DatabaseClaim"/> (subscribe) or <see cref="AuthOptions.PublishClaim"/>
/// (publish) names one database, compared case-sensitively as the registry does; <c>*</c> grants every database.
/// With anonymous access on, every caller may do what an anonymous caller may (subscribe anywhere, publish only
/// with <see cref="AuthOptions.AnonymousMayPublish"/>) plus what its token grants. The decision needs no I/O, so
/// it runs before any tenant lookup: a caller cannot make the hub look up a name it may not use.
/// </remarks>
public sealed class DatabaseAuthorizer(IOptions<AuthOptions> options)
{
    /// <summary>The claim value that grants every database.</summary>
    public const string AllDatabases = "*";

    private readonly AuthOptions _options = options.Value;

    /// <summary>Whether <paramref name="user"/> may use <paramref name="database"/> for <paramref name="right"/>.</summary>
    public bool IsAllowed(ClaimsPrincipal? user, string database, DatabaseRight right)
    {
        if (_options.AnonymousAllowed && (right == DatabaseRight.Subscribe || _options.AnonymousMayPublish))
        {
            return true;
        }

        if (user?.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        var claimType = right == DatabaseRight.Publish ? _options.PublishClaim : _options.DatabaseClaim;
        foreach (var claim in user.FindAll(claimType))
        {
            if (claim.Value == AllDatabases || string.Equals(claim.Value, database, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
