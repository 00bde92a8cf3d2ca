using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// Signs real HS256 tokens with a key made for this test, and the hub settings that trust exactly that key.
/// </summary>
public sealed class TestTokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "notify-hub";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string SigningKeyBase64 => Convert.ToBase64String(_key);

    /// <summary>Turns anonymous access off and trusts this key; clock skew is zero so expiry is exact.</summary>
    public void Configure(HubSettings settings)
    {
        settings.Auth.AllowAnonymous = false;
        settings.Auth.Issuer = Issuer;
        settings.Auth.Audience = Audience;
        settings.Auth.SigningKey = SigningKeyBase64;
        settings.Auth.ClockSkew = TimeSpan.Zero;
    }

    /// <summary>A token for <paramref name="subject"/>; null leaves the <c>sub</c> claim out.</summary>
    public string Create(
        string? subject,
        IEnumerable<string>? databases = null,
        IEnumerable<string>? publish = null,
        DateTime? expires = null,
        string audience = Audience,
        byte[]? key = null,
        IEnumerable<Claim>? extraClaims = null)
        => Sign(new SigningCredentials(new SymmetricSecurityKey(key ?? _key), SecurityAlgorithms.HmacSha256), subject, databases, publish, expires, audience, Issuer, extraClaims);

    public static string Sign(
        SigningCredentials credentials,
        string? subject,
        IEnumerable<string>? databases,
        IEnumerable<string>? publish,
        DateTime? expires,
        string audience,
        string issuer,
        IEnumerable<Claim>? extraClaims = null)
    {
        var claims = subject is null ? new List<Claim>() : [new("sub", subject)];
        claims.AddRange((databases ?? []).Select(static d => new Claim("hub:db", d)));
        claims.AddRange((publish ?? []).Select(static d => new Claim("hub:publish", d)));
        claims.AddRange(extraClaims ?? []);
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        var issued = (expiry < DateTime.UtcNow ? expiry : DateTime.UtcNow).AddMinutes(-5);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            Expires = expiry,
            NotBefore = issued,
            IssuedAt = issued,
            SigningCredentials = credentials,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
