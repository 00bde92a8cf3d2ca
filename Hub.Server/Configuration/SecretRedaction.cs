using System.Text.RegularExpressions;

namespace Hub.Server.Configuration;

/// <summary>
/// Hides secrets in settings that are printed: whole values of secret settings (signing keys, passwords) and the
/// password part of connection strings (Npgsql's <c>Password=</c>, Redis's <c>password=</c>, a URL's user info).
/// </summary>
internal static partial class SecretRedaction
{
    /// <summary>What a hidden secret is shown as.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretNameParts = ["Password", "Secret", "SigningKey", "ApiKey", "Token"];

    /// <summary><paramref name="value"/> of the setting <paramref name="key"/>, with its secrets masked.</summary>
    public static string? Redact(string key, string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        var name = key[(key.LastIndexOf(':') + 1)..];
        if (SecretNameParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase)))
        {
            return Mask;
        }

        var masked = PasswordPair().Replace(value, m => $"{m.Groups["name"].Value}={Mask}");
        return UrlUserInfo().Replace(masked, m => $"{m.Groups["scheme"].Value}{m.Groups["user"].Value}:{Mask}@");
    }

    // Npgsql (Password, Pwd; ';'-separated) and StackExchange.Redis (password; ','-separated) connection strings.
    [GeneratedRegex(@"(?<name>\b(?:password|pwd))\s*=\s*[^;,]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPair();

    // scheme://user:password@host
    [GeneratedRegex(@"(?<scheme>[a-z][a-z0-9+.-]*://)(?<user>[^:/@\s]*):[^@/\s]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();
}
