using System.Text;
using Hub.Server.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Server.Security;

/// <summary>
/// Configures JWT bearer authentication from <see cref="AuthOptions"/>.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> auth, IHostEnvironment environment) : IConfigureNamedOptions<JwtBearerOptions>
{
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
        // Why a token was refused ("the signature key was not found", the expected issuer, the expiry) helps a
        // developer and an attacker alike; outside Development it stays in the log.
        options.IncludeErrorDetails = environment.IsDevelopment();
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
        // Only where a browser has no other way: WebSocket and SSE requests to the hub itself (not negotiate, which
        // is a POST every client can put a header on), and only without an Authorization header, which always
        // wins. Anywhere else a token in the URL would end up in access logs and proxies for nothing.
        var request = context.HttpContext.Request;
        if (string.IsNullOrEmpty(context.Token)
            && request.Headers.Authorization.Count == 0
            && IsHubPath(request.Path)
            && (IsWebSocketUpgrade(context.HttpContext) || IsEventStream(request))
            && request.Query.TryGetValue(AccessTokens.QueryParameter, out var token))
        {
            context.Token = token.ToString();
        }

        return Task.CompletedTask;
    }

    private static bool IsHubPath(PathString path)
        => path.StartsWithSegments(NotificationHubEndpoint.Path, StringComparison.OrdinalIgnoreCase, out var rest) && (!rest.HasValue || rest.Value == "/");

    // A token without a usable subject is refused: the subject is the user id that the per-user limits count
    // by, and a token without one would be counted under nothing. SignalR closes a connection when its
    // authentication expires (CloseOnAuthenticationExpiration); the ticket must therefore end exactly when the
    // token does.
    private static Task ExpireWithToken(TokenValidatedContext context)
    {
        if (SubjectUserIdProvider.SubjectOf(context.Principal) is null)
        {
            context.Fail("The token has no subject (sub).");
            return Task.CompletedTask;
        }

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

    private static bool IsEventStream(HttpRequest request)
        => HttpMethods.IsGet(request.Method)
            && request.Headers.Accept.Any(static value => value is not null && value.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));
}
