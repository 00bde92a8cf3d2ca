using System.Text.RegularExpressions;
using Hub.Server.Databases;

namespace Hub.Server.Tenants;

/// <summary>
/// Decides whether a name may be a tenant database, before anything is looked up.
/// </summary>
public sealed class TenantNamePattern
{
    private readonly Regex _regex;

    private TenantNamePattern(Regex regex) => _regex = regex;

    /// <summary>
    /// Compiles <paramref name="pattern"/> anchored at both ends, so <c>tenant_.*</c> cannot match inside a longer
    /// name, with a match timeout so a pathological pattern cannot stall a hub call.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public static TenantNamePattern Create(string pattern, TimeSpan matchTimeout)
        => new(new Regex($"^(?:{pattern})\\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeout));

    /// <summary>
    /// Whether <paramref name="name"/> is a database name the hub accepts, lower case (group names are
    /// case-insensitive, so two tenants differing only in case would share groups), and matches the pattern.
    /// </summary>
    public bool Matches(string name)
    {
        if (!PostgresNames.IsValidDatabase(name) || !string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            return _regex.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
