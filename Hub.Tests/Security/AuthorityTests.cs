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
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events);
        settings.Auth.AllowAnonymous = false;
        settings.Auth.Authority = authority.Url.ToString();
        settings.Auth.RequireHttpsMetadata = false;
        settings.Auth.Audience = TestTokens.Audience;
        await using var hub = await HubHost.StartAsync(settings);
        using var otherRsa = RSA.Create(2048);

        await using var client = await RecordingClient.ConnectAsync(hub.HubUrl, accessToken: authority.CreateToken("alice", [database]));
        var forged = await Assert.ThrowsAsync<HttpRequestException>(() =>
            RecordingClient.ConnectAsync(hub.HubUrl, accessToken: authority.CreateToken("mallory", ["*"], key: new RsaSecurityKey(otherRsa) { KeyId = authority.Key.KeyId })));
        var wrongAudience = await Assert.ThrowsAsync<HttpRequestException>(() =>
            RecordingClient.ConnectAsync(hub.HubUrl, accessToken: authority.CreateToken("mallory", ["*"], audience: "elsewhere")));

        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(database, HubFixture.Events));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
    }
}
