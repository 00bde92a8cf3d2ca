using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Security;

/// <summary>
/// Identifies a connection's user by the token's <c>sub</c>. Inbound claims are not renamed (so that
/// <c>hub:db</c> stays <c>hub:db</c>), which is why SignalR's default, the mapped NameIdentifier, would find nothing.
/// </summary>
/// <remarks>
/// Tokens without a usable subject are refused when they are validated (<see cref="SubjectOf"/> is null), so every
/// authenticated connection has a user id and counts against <c>Hub:Limits:ConnectionsPerUser</c>.
/// </remarks>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    /// <summary>The JWT subject claim.</summary>
    public const string SubjectClaim = "sub";

    /// <inheritdoc />
    public string? GetUserId(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.User?.Identity?.IsAuthenticated == true ? SubjectOf(connection.User) : null;
    }

    /// <summary>
    /// The subject of <paramref name="user"/>: its one <c>sub</c> claim, if that is not blank (a number counts as its
    /// text); null otherwise, also when the token carries several.
    /// </summary>
    public static string? SubjectOf(ClaimsPrincipal? user)
    {
        var subjects = user?.FindAll(SubjectClaim).Take(2).ToList();
        return subjects is [{ Value: var value }] && !string.IsNullOrWhiteSpace(value) ? value : null;
    }
}
