using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Validates <see cref="AuthOptions"/> at startup, naming the configuration key of every problem found.
/// </summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <summary>The shortest HS256 key accepted, in bytes (the hash size; shorter keys are brute-forceable).</summary>
    public const int MinSigningKeyBytes = 32;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        const string Key = AuthOptions.SectionName;
        var failures = new List<string>();
        if (!options.AnonymousAllowed && !options.TokensConfigured)
        {
            failures.Add($"{Key}:SigningKey or {Key}:Authority is required: without either no caller can connect. "
                + $"Set one, or set {Key}:AllowAnonymous to true to let anyone in.");
        }

        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            ValidateSigningKey(options.SigningKey, failures);
            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add($"{Key}:Issuer is required with {Key}:SigningKey, so tokens from another issuer sharing the key are refused.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Authority)
            && (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{Key}:Authority must be an absolute http(s) URL.");
        }

        if (options.TokensConfigured && string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{Key}:Audience is required, so tokens issued for other services are refused.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabaseClaim))
        {
            failures.Add($"{Key}:DatabaseClaim must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.PublishClaim))
        {
            failures.Add($"{Key}:PublishClaim must not be empty.");
        }

        if (options.ClockSkew < TimeSpan.Zero)
        {
            failures.Add($"{Key}:ClockSkew must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateSigningKey(string signingKey, List<string> failures)
    {
        // The key itself never goes into a message: only its problem.
        var buffer = new byte[signingKey.Length];
        if (!Convert.TryFromBase64String(signingKey.Trim(), buffer, out var length))
        {
            failures.Add($"{AuthOptions.SectionName}:SigningKey is not valid base64.");
        }
        else if (length < MinSigningKeyBytes)
        {
            failures.Add($"{AuthOptions.SectionName}:SigningKey is {length * 8} bits; HS256 needs at least {MinSigningKeyBytes * 8}.");
        }
    }
}
