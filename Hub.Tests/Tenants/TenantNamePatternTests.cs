using System.Text.RegularExpressions;
using Hub.Server.Tenants;

namespace Hub.Tests.Tenants;

public sealed class TenantNamePatternTests
{
    [Theory]
    [InlineData("tenant_[a-z0-9]+", "tenant_acme", true)]
    [InlineData("tenant_[a-z0-9]+", "xtenant_acme", false)]
    [InlineData("tenant_[a-z0-9]+", "tenant_acme_more", false)]
    [InlineData("tenant_.*", "tenant_", true)]
    [InlineData("a|b", "ab", false)]
    [InlineData("a|b", "b", true)]
    [InlineData("tenant_.*", "Tenant_acme", false)] // upper case: group names ignore case
    [InlineData("tenant_.*", "tenant_a;Host=evil", false)] // not a database name the hub accepts
    [InlineData("tenant_.*", "tenant_\u0430", false)] // Cyrillic look-alike
    [InlineData(".*", "", false)]
    public void Whole_name_must_match_and_be_a_valid_lower_case_database_name(string pattern, string name, bool expected)
        => Assert.Equal(expected, TenantNamePattern.Create(pattern, TimeSpan.FromSeconds(1)).Matches(name));

    [Fact]
    public void Pathological_pattern_gives_up_at_the_timeout_and_refuses()
    {
        const string Pattern = "(a|aa)+";
        var name = new string('a', 40) + "b";
        var timeout = TimeSpan.FromMilliseconds(50);

        // The input really is pathological for this pattern: left alone, matching would run for hours.
        Assert.Throws<RegexMatchTimeoutException>(() => Regex.IsMatch(name, $"^(?:{Pattern})\\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, timeout));
        Assert.False(TenantNamePattern.Create(Pattern, timeout).Matches(name));
    }
}
