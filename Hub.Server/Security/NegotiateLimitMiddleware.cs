using System.Globalization;
using System.Text.Json;
using Hub.Server.Contracts;
using Hub.Server.Limits;
using Hub.Server.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Hub.Server.Security;

/// <summary>
/// Admits a negotiation (<c>POST {hub}/negotiate</c>) only within <see cref="PendingNegotiations"/>' limits, refusing
/// with 429 otherwise, and records the connection ids its response hands out so that the connection arriving under
/// one of them ends it.
/// </summary>
/// <remarks>
/// It runs in front of whatever answers the negotiation and reads only the request and the response's JSON, so it
/// holds whichever transport serves the hub's connections. It runs after authentication and authorization: an
/// unauthenticated negotiation is refused before it counts.
/// </remarks>
internal sealed class NegotiateLimitMiddleware(
    RequestDelegate next,
    PendingNegotiations pending,
    NegotiationRefusalLog refusals,
    HubMetrics metrics,
    IOptions<LimitOptions> options)
{
    private readonly LimitOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HubRequests.IsNegotiation(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var user = context.User.Identity?.IsAuthenticated == true ? SubjectUserIdProvider.SubjectOf(context.User) : null;
        var address = NegotiationAddress.KeyOf(context.Connection.RemoteIpAddress);
        var (admitted, refused) = pending.TryAdmit(user, address);
        if (admitted is null)
        {
            await RefuseAsync(context, user, address, refused).ConfigureAwait(false);
            return;
        }

        // The response is a few hundred bytes of JSON: hold it back to read the ids, then send it on unchanged.
        var responseBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer, responseBody));
        string[] ids = [];
        try
        {
            await next(context).ConfigureAwait(false);
            ids = context.Response.StatusCode == StatusCodes.Status200OK ? ConnectionIdsOf(buffer) : [];
        }
        finally
        {
            context.Features.Set(responseBody);
            pending.Negotiated(admitted, ids);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(responseBody.Stream, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The <c>connectionId</c> and <c>connectionToken</c> of a negotiate response; none if it is an error or no JSON.</summary>
    private static string[] ConnectionIdsOf(MemoryStream body)
    {
        try
        {
            using var json = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            return ((string[])["connectionId", "connectionToken"])
                .Select(name => json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .ToArray();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private async Task RefuseAsync(HttpContext context, string? user, string address, NegotiationLimit limit)
    {
        var message = limit switch
        {
            NegotiationLimit.User => Refusals.TooManyPendingNegotiationsForUser(_options.PendingNegotiationsPerUser).Message,
            NegotiationLimit.Address => Refusals.TooManyPendingNegotiationsForAddress(_options.PendingNegotiationsPerAddress).Message,
            _ => Refusals.TooManyPendingNegotiations(_options.MaxPendingNegotiations).Message,
        };
        refusals.Refused(user, address, message);
        metrics.NegotiationRejected(NegotiationLimitNames.Of(limit));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        // A pending negotiation ends when its connection arrives or times out: by then there is room again.
        context.Response.Headers[HeaderNames.RetryAfter] = Math.Ceiling(_options.NegotiationTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
    }
}
