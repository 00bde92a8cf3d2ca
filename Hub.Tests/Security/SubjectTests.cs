using System.Net;
using System.Security.Claims;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Security;

public sealed class SubjectTests(SharedPostgres postgres)
{
    public static TheoryData<string> TokensWithoutSubject => new() { "no sub", "empty sub", "blank sub", "two subs" };

    [Theory]
    [MemberData(nameof(TokensWithoutSubject))]
    public async Task A_token_without_a_usable_subject_is_refused_at_connect(string kind)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(static s => s.Limits.ConnectionsPerUser = 2).StartAsync();
        var token = kind switch
        {
            "no sub" => hub.Tokens.Create(null, [hub.Database]),
            "empty sub" => hub.Tokens.Create(string.Empty, [hub.Database]),
            "blank sub" => hub.Tokens.Create("   ", [hub.Database]),
            _ => hub.Tokens.Create("alice", [hub.Database], extraClaims: [new Claim("sub", "bob")]),
        };

        // Without the refusal these would be uncounted connections, past any per-user limit.
        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => RecordingClient.ConnectAsync(hub.Hub.HubUrl, accessToken: token));
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        }

        var valid = await hub.ConnectAsync("alice");
        Assert.Equal([HubFixture.Events], await valid.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task A_numeric_subject_is_a_user_and_counts_against_the_connection_limit()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(static s => s.Limits.ConnectionsPerUser = 2).StartAsync();
        var token = hub.Tokens.Create(null, [hub.Database], extraClaims: [new Claim("sub", "42", ClaimValueTypes.Integer)]);
        var first = await hub.TrackAsync(RecordingClient.ConnectAsync(hub.Hub.HubUrl, accessToken: token));
        var second = await hub.TrackAsync(RecordingClient.ConnectAsync(hub.Hub.HubUrl, accessToken: token));
        await first.SubscribeAsync(hub.Database, HubFixture.Events);
        await second.SubscribeAsync(hub.Database, HubFixture.Events);

        var users = hub.Hub.Services.GetRequiredService<Hub.Server.Limits.UserConnections>();
        Assert.Equal(2, users.Of("42"));
        var third = await hub.TrackAsync(RecordingClient.ConnectAsync(hub.Hub.HubUrl, accessToken: token));
        await Assert.ThrowsAnyAsync<Exception>(() => third.SubscribeAsync(hub.Database, HubFixture.Events));
        await hub.NotifyAsync(HubFixture.Events, "counted");
        Assert.Equal("counted", (await first.NextNotificationAsync()).Payload);
    }
}
