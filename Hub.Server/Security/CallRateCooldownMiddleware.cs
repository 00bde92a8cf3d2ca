using System.Globalization;
using Hub.Server.Limits;
using Hub.Server.Telemetry;
using Microsoft.Net.Http.Headers;

namespace Hub.Server.Security;

/// <summary>
/// Refuses with 429 and <c>Retry-After</c> the negotiations and new connections of a user (or, anonymous, an address)
/// that <see cref="CallRateCooldowns"/> holds, before they cost the hub a negotiation or a handshake.
/// </summary>
/// <remarks>
/// A new connection is a <c>negotiate</c>, or a request to the hub that opens a WebSocket or an event stream: the
/// hub's own WebSocket transport takes a WebSocket request whatever its <c>id</c>, so the id is no proof of an earlier
/// negotiation. Long-polling requests belong to connections already open and pass. It runs after authentication,
/// so the user is known; the token is checked before the cool-down is, as for any request.
/// </remarks>
internal sealed class CallRateCooldownMiddleware(RequestDelegate next, CallRateCooldowns cooldowns, NegotiationRefusalLog refusals, HubMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (cooldowns.IsEmpty || !HubRequests.OpensConnection(context.Request))
        {
            return next(context);
        }

        var user = context.User.Identity?.IsAuthenticated == true ? SubjectUserIdProvider.SubjectOf(context.User) : null;
        var address = NegotiationAddress.KeyOf(context.Connection.RemoteIpAddress);
        return cooldowns.TryGetRemaining(CallRateCooldowns.KeyOf(user, address), out var remaining)
            ? RefuseAsync(context, user, address, remaining)
            : next(context);
    }

    private Task RefuseAsync(HttpContext context, string? user, string address, TimeSpan remaining)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(remaining.TotalSeconds));
        var message = CallRateCooldowns.RefusalMessage(user is null, seconds);
        refusals.RefusedInCooldown(user, address, message);
        metrics.NegotiationRejected(NegotiationLimitNames.Cooldown);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }
}
