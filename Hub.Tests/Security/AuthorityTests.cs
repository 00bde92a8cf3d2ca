using System.Net;
using System.Security.Cryptography;
using Hub.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Tests.Security;

public sealed class AuthorityTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Tokens_signed_with_the_authoritys_published_key_are_accepted_and_others_refused()
    {
        await using var authority = await TestAuthority.StartAsync();
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubHost.SettingsFor(database, postgres.Server.ConnectionString(database), HubScenario.Events);
        settings["Hub:Auth:AllowAnonymous"] = "false";
        settings["Hub:Auth:Authority"] = authority.Url.ToString();
        settings["Hub:Auth:RequireHttpsMetadata"] = "false";
        settings["Hub:Auth:Audience"] = TestTokens.Audience;
        await using var hub = await HubHost.StartAsync(settings);
        using var otherRsa = RSA.Create(2048);

        await using var client = await RecordingClient.ConnectAsync(hub.HubUrl, accessToken: authority.CreateToken("alice", [database]));
        var forged = await Assert.ThrowsAsync<HttpRequestException>(() =>
            RecordingClient.ConnectAsync(hub.HubUrl, accessToken: authority.CreateToken("mallory", ["*"], key: new RsaSecurityKey(otherRsa) { KeyId = authority.Key.KeyId })));
        var wrongAudience = await Assert.ThrowsAsync<HttpRequestException>(() =>
            RecordingClient.ConnectAsync(hub.HubUrl, accessToken: authority.CreateToken("mallory", ["*"], audience: "elsewhere")));

        Assert.Equal([HubScenario.Events], await client.SubscribeAsync(database, HubScenario.Events));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
    }
}
