namespace Hub.Server.Security;

/// <summary>
/// How callers authenticate and what their tokens grant, bound from <c>Hub:Auth</c>.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Auth";

    /// <summary>The <c>iss</c> a token must carry. Required with <see cref="SigningKey"/>; an authority supplies its own.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> a token must carry. Required whenever tokens are accepted.</summary>
    public string? Audience { get; set; }

    /// <summary>A symmetric HS256 key, base64, of at least 256 bits, that signs the tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect authority whose discovery document and JWKS supply issuer and signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// Whether the authority's metadata must be fetched over HTTPS. Only a loopback test authority should turn this off.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// Whether callers without a token may connect. Unset means on in Development and off everywhere else,
    /// so a deployment never becomes open by omission.
    /// </summary>
    public bool? AllowAnonymous { get; set; }

    /// <summary>
    /// Whether anonymous callers may also publish (to every database). Off by default: with anonymous access on,
    /// anonymous callers may only subscribe.
    /// </summary>
    public bool AnonymousMayPublish { get; set; }

    /// <summary>The claim listing the databases a caller may subscribe to, one value per database, <c>*</c> for all.</summary>
    public string DatabaseClaim { get; set; } = "hub:db";

    /// <summary>The claim listing the databases a caller may publish to, one value per database, <c>*</c> for all.</summary>
    public string PublishClaim { get; set; } = "hub:publish";

    /// <summary>
    /// The clock difference tolerated when checking a token's lifetime at connect. A connection still closes
    /// exactly at the token's expiry.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether anonymous callers are let in, once <see cref="AllowAnonymous"/> has been resolved.</summary>
    public bool AnonymousAllowed => AllowAnonymous == true;

    /// <summary>Whether any way of checking a token is configured.</summary>
    public bool TokensConfigured => !string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(Authority);
}
