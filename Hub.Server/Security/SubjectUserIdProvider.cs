using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Security;

/// <summary>
/// Identifies a connection's user by the token's <c>sub</c>. Inbound claims are not renamed (so that
/// <c>hub:db</c> stays <c>hub:db</c>), which is why SignalR's default, the mapped NameIdentifier, would find nothing.
/// </summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    /// <summary>The JWT subject claim.</summary>
    public const string SubjectClaim = "sub";

    /// <inheritdoc />
    public string? GetUserId(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var user = connection.User;
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        return user.FindFirst(SubjectClaim)?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.Identity.Name;
    }
}
