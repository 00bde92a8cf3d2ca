using System.Security.Claims;
using Hub.Server.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Http;

/// <summary>
/// An HTTP request seen as a hub caller, so that <c>POST /api/publish</c> goes through the very checks, limits,
/// logs and messages of the hub's <c>Publish</c>. Its connection id names the request in the logs.
/// </summary>
internal sealed class HttpCallerContext(HttpContext http) : HubCallerContext
{
    private readonly Dictionary<object, object?> _items = [];

    /// <inheritdoc />
    public override string ConnectionId { get; } = $"http:{http.TraceIdentifier}";

    /// <inheritdoc />
    // The same identity the hub gives a connection (SubjectUserIdProvider): the token's subject.
    public override string? UserIdentifier => http.User.Identity?.IsAuthenticated == true
        ? http.User.FindFirst(SubjectUserIdProvider.SubjectClaim)?.Value ?? http.User.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? http.User.Identity.Name
        : null;

    /// <inheritdoc />
    public override ClaimsPrincipal User => http.User;

    /// <inheritdoc />
    public override IDictionary<object, object?> Items => _items;

    /// <inheritdoc />
    public override IFeatureCollection Features => http.Features;

    /// <inheritdoc />
    public override CancellationToken ConnectionAborted => http.RequestAborted;

    /// <inheritdoc />
    public override void Abort() => http.Abort();
}
