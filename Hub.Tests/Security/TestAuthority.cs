using System.Security.Cryptography;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Tests.Security;

/// <summary>
/// A minimal OpenID Connect authority on loopback: a discovery document and the JWKS of an RSA key made for the test.
/// </summary>
public sealed class TestAuthority : IAsyncDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly WebApplication _app;

    private TestAuthority(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
        Key = new RsaSecurityKey(_rsa) { KeyId = "test-key-1" };
    }

    public Uri Url { get; }

    public string Issuer => Url.ToString().TrimEnd('/');

    public RsaSecurityKey Key { get; }

    public static async Task<TestAuthority> StartAsync()
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url.ToString());
        var app = builder.Build();
        var authority = new TestAuthority(app, url);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority.Issuer,
            ["jwks_uri"] = $"{authority.Issuer}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(authority._rsa.ExportParameters(false)) { KeyId = authority.Key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        await app.StartAsync();
        return authority;
    }

    public string CreateToken(string subject, string[] databases, string audience = TestTokens.Audience, SecurityKey? key = null)
        => TestTokens.Sign(new SigningCredentials(key ?? Key, SecurityAlgorithms.RsaSha256), subject, databases, null, null, audience, Issuer);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
