using System.Text.Json;
using Hub.Server.Databases;
using Hub.Server.Limits;
using Hub.Server.Publishing;
using Hub.Server.Security;
using Hub.Server.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Http;

/// <summary>
/// <c>POST /api/publish</c> for back-end services that do not speak SignalR: the hub's <c>Publish</c> over HTTP, with
/// its authorization, payload rules and refusal messages.
/// </summary>
public static class PublishEndpoint
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/api/publish";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Maps <see cref="Path"/>, open to the callers the hub itself lets in.</summary>
    public static IEndpointRouteBuilder MapPublishEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, PublishAsync).RequireAuthorization(SecurityPolicies.HubCaller);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(HttpContext http, PublishService publisher, IOptions<LimitOptions> limits)
    {
        // The hub refuses a larger message from a connection; an HTTP body gets the same bound.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.Value.MaximumReceiveMessageSize;
        }

        if (!http.Request.HasJsonContentType())
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "the request body must be JSON (Content-Type: application/json)");
        }

        PublishRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<PublishRequest>(Json, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Error(StatusCodes.Status400BadRequest, "the request body must be a JSON object {\"database\": string, \"channel\": string, \"payload\": string}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {limits.Value.MaximumReceiveMessageSize} bytes (Hub:Limits:MaximumReceiveMessageSize)");
        }

        if (request is null)
        {
            return Error(StatusCodes.Status400BadRequest, "the request body must be a JSON object {\"database\": string, \"channel\": string, \"payload\": string}");
        }

        try
        {
            await publisher.PublishAsync(new HttpCallerContext(http), request.Database, request.Channel, request.Payload).ConfigureAwait(false);
        }
        catch (HubException refusal)
        {
            return Error(StatusOf(http, request, refusal, limits.Value.MaxDatabaseConnections), refusal.Message);
        }

        return Results.NoContent();
    }

    /// <summary>
    /// 401 for a caller without a token that may not publish (a token would help), 403 for one whose token does not
    /// grant the database, 503 when the database failed the NOTIFY or the hub may open no connection for it, 400 for
    /// every other refusal (a bad name, channel or payload).
    /// </summary>
    private static int StatusOf(HttpContext http, PublishRequest request, HubException refusal, int maxDatabaseConnections)
    {
        if (request.Database is not { } database)
        {
            return StatusCodes.Status400BadRequest;
        }

        if (refusal.Message == Refusals.PublishFailed(database).Message
            || refusal.Message == Refusals.DatabaseConnectionsExhausted(database, maxDatabaseConnections).Message)
        {
            return StatusCodes.Status503ServiceUnavailable;
        }

        if (refusal.Message == Refusals.PublishNotAllowed(database).Message)
        {
            return http.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        }

        return StatusCodes.Status400BadRequest;
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
