using Hub.Tests.Infrastructure;

namespace Hub.Tests.Security;

public sealed class CorsTests(SharedPostgres postgres)
{
    [Fact]
    public async Task No_origin_is_allowed_by_default()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();

        var response = await PreflightAsync(scenario.Hub, "https://app.example");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Listed_origins_are_allowed_and_others_are_not()
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(s => s.Cors.AllowedOrigins.Add("https://app.example")).StartAsync();

        var listed = await PreflightAsync(scenario.Hub, "https://app.example");
        var other = await PreflightAsync(scenario.Hub, "https://evil.example");

        Assert.Equal(["https://app.example"], listed.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Equal(["true"], listed.Headers.GetValues("Access-Control-Allow-Credentials"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<HttpResponseMessage> PreflightAsync(HubHost hub, string origin)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, new Uri(hub.HubUrl, "notifications/negotiate?negotiateVersion=1"));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "x-requested-with");
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
