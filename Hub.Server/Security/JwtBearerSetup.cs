using System.Text;
using Hub.Server.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Server.Security;

/// <summary>
/// Configures JWT bearer authentication from <see cref="AuthOptions"/>.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> auth) : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <summary>The query string parameter browsers use for the token, since they cannot set headers on WebSockets and SSE.</summary>
    public const string AccessTokenParameter = "access_token";

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name == JwtBearerDefaults.AuthenticationScheme)
        {
            Configure(options);
        }
    }

    public void Configure(JwtBearerOptions options)
    {
        var settings = auth.Value;
        // Claims keep the names they have in the token: hub:db, sub, role.
        options.MapInboundClaims = false;
        options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        options.Events = new JwtBearerEvents { OnMessageReceived = TakeTokenFromQueryString, OnTokenValidated = ExpireWithToken };
        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            options.Authority = settings.Authority;
        }

        var parameters = options.TokenValidationParameters;
        parameters.ValidAudience = settings.Audience;
        parameters.ValidateAudience = true;
        parameters.ValidateLifetime = true;
        parameters.RequireExpirationTime = true;
        parameters.ClockSkew = settings.ClockSkew;
        parameters.NameClaimType = SubjectUserIdProvider.SubjectClaim;
        parameters.RoleClaimType = "role";
        if (!string.IsNullOrWhiteSpace(settings.Issuer))
        {
            parameters.ValidIssuer = settings.Issuer;
        }

        if (!string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            parameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(settings.SigningKey.Trim()));
            parameters.ValidAlgorithms = string.IsNullOrWhiteSpace(settings.Authority) ? [SecurityAlgorithms.HmacSha256] : null;
        }
    }

    private static Task TakeTokenFromQueryString(MessageReceivedContext context)
    {
        // Only where a browser has no other way: WebSocket and SSE requests to the hub. Anywhere else a token in
        // the URL would end up in access logs and proxies for nothing.
        var request = context.HttpContext.Request;
        if (string.IsNullOrEmpty(context.Token)
            && request.Path.StartsWithSegments(NotificationHubEndpoint.Path, StringComparison.OrdinalIgnoreCase)
            && (IsWebSocketUpgrade(context.HttpContext) || AcceptsEventStream(request))
            && request.Query.TryGetValue(AccessTokenParameter, out var token))
        {
            context.Token = token.ToString();
        }

        return Task.CompletedTask;
    }

    // SignalR closes a connection when its authentication expires (CloseOnAuthenticationExpiration); the ticket
    // must therefore end exactly when the token does.
    private static Task ExpireWithToken(TokenValidatedContext context)
    {
        if (context.SecurityToken.ValidTo > DateTime.MinValue)
        {
            context.Properties.ExpiresUtc = new DateTimeOffset(DateTime.SpecifyKind(context.SecurityToken.ValidTo, DateTimeKind.Utc));
        }

        return Task.CompletedTask;
    }

    // The WebSocket feature is only added inside the hub's own endpoint pipeline, after authentication has run,
    // so the request's headers are what tell a WebSocket request here.
    private static bool IsWebSocketUpgrade(HttpContext context)
        => context.Request.Headers.Upgrade.Any(static value => string.Equals(value, "websocket", StringComparison.OrdinalIgnoreCase))
            || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: "websocket" };

    private static bool AcceptsEventStream(HttpRequest request)
        => request.Headers.Accept.Any(static value => value is not null && value.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));
}
