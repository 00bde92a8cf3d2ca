using System.Net;
using System.Text.RegularExpressions;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Security;

public sealed partial class SecurityHeadersTests(SharedPostgres postgres)
{
    public static TheoryData<string, string, HttpStatusCode> Responses => new()
    {
        { "GET", "/health/live", HttpStatusCode.OK },
        { "GET", "/api/stats", HttpStatusCode.Unauthorized },
        { "GET", "/no-such-page", HttpStatusCode.NotFound },
        { "POST", "/hubs/notifications/negotiate?negotiateVersion=1", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_response_carries_the_security_headers(string method, string path, HttpStatusCode status)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        Assert.Equal(status, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Outside_development_a_refused_token_gets_no_error_details()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };
        var tokens = new[]
        {
            hub.Tokens.Create("alice", [hub.Database], expires: DateTime.UtcNow.AddMinutes(-5)),
            hub.Tokens.Create("alice", [hub.Database], key: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            hub.Tokens.Create("alice", [hub.Database], audience: "another-service"),
        };

        foreach (var token in tokens)
        {
            using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/notifications/negotiate?negotiateVersion=1");
            negotiate.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(negotiate, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        }

        // The reason stays in the hub's log.
        Assert.Contains(hub.Logs.Entries, static e => e.Text.Contains("IDX10223", StringComparison.Ordinal) || e.Text.Contains("expired", StringComparison.OrdinalIgnoreCase));
        var valid = await hub.ConnectAsync("alice");
        Assert.Equal([HubFixture.Events], await valid.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task The_live_page_carries_the_security_headers_and_runs_no_inline_code()
    {
        await using var process = await HubProcess.StartAsync("live-page", new HubSettings());
        using var http = new HttpClient { BaseAddress = process.BaseUrl };

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        using var script = await http.GetAsync(new Uri("/app.js", UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        AssertSecurityHeaders(page);
        AssertSecurityHeaders(script);
        // The policy allows no inline script or style, so the page must have none.
        Assert.All(ScriptTag().Matches(html), static tag => Assert.Contains(" src=", tag.Value, StringComparison.Ordinal));
        Assert.DoesNotMatch(InlineHandlerOrStyle(), html);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"<[^>]+\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();
}
