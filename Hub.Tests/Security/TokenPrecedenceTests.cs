using System.Net;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Security;

/// <summary>
/// Where the hub takes a caller's token from: the Authorization header always, the access_token query parameter
/// only for WebSocket and SSE requests to the hub that carry no header.
/// </summary>
public sealed class TokenPrecedenceTests(SharedPostgres postgres)
{
    [Fact]
    public async Task On_a_websocket_the_header_wins_over_a_valid_token_in_the_query()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var alice = hub.Tokens.Create("alice", [hub.Database]);
        var mallory = hub.Tokens.Create("mallory", []);

        // The connection is the header's user: alice's database is granted, mallory's token is not looked at.
        var client = await hub.TrackAsync(ConnectAsync(hub, header: alice, query: mallory));

        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
        await hub.NotifyAsync(HubFixture.Events, "as alice");
        Assert.Equal("as alice", (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task On_a_websocket_a_valid_header_connects_whatever_garbage_the_query_holds()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();

        var client = await hub.TrackAsync(ConnectAsync(hub, header: hub.Tokens.Create("alice", [hub.Database]), query: "not.a.token"));

        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task On_a_websocket_an_invalid_header_is_refused_even_with_a_valid_query_token()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(hub, header: "not.a.token", query: hub.Tokens.Create("alice", [hub.Database])));

        Assert.Contains("401", error.ToString(), StringComparison.Ordinal);
        var valid = await hub.ConnectAsync("bob");
        Assert.Equal([HubFixture.Events], await valid.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task On_a_websocket_without_a_header_the_query_token_is_taken()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();

        var client = await hub.TrackAsync(ConnectAsync(hub, header: null, query: hub.Tokens.Create("alice", [hub.Database])));

        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task Negotiate_never_takes_the_query_token_even_when_it_accepts_an_event_stream()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var token = hub.Tokens.Create("alice", [hub.Database]);
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        using var viaQuery = new HttpRequestMessage(HttpMethod.Post, $"/hubs/notifications/negotiate?negotiateVersion=1&access_token={token}");
        viaQuery.Headers.Accept.ParseAdd("text/event-stream");
        using var viaHeader = new HttpRequestMessage(HttpMethod.Post, "/hubs/notifications/negotiate?negotiateVersion=1&access_token=not.a.token");
        viaHeader.Headers.Authorization = new("Bearer", token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(viaQuery, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(viaHeader, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task On_an_event_stream_the_header_wins_over_the_query()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(static s => s.Transport.FallbackTransports = true).StartAsync();
        var token = hub.Tokens.Create("browser", [hub.Database]);
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };

        using var validHeader = await OpenEventStreamAsync(http, await NegotiateAsync(http, token), header: token, query: "not.a.token");
        using var invalidHeader = await OpenEventStreamAsync(http, await NegotiateAsync(http, token), header: "not.a.token", query: token);
        using var queryOnly = await OpenEventStreamAsync(http, await NegotiateAsync(http, token), header: null, query: token);

        Assert.Equal(HttpStatusCode.OK, validHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, invalidHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, queryOnly.StatusCode);
    }

    private static Task<RecordingClient> ConnectAsync(HubFixture hub, string? header, string query)
        => RecordingClient.ConnectAsync(new Uri($"{hub.Hub.HubUrl}?access_token={Uri.EscapeDataString(query)}"), accessToken: header, skipNegotiation: true);

    private static async Task<string> NegotiateAsync(HttpClient http, string token)
    {
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/notifications/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(negotiate, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("connectionToken").GetString()!;
    }

    private static async Task<HttpResponseMessage> OpenEventStreamAsync(HttpClient http, string connectionToken, string? header, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hubs/notifications?id={connectionToken}&access_token={Uri.EscapeDataString(query)}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (header is not null)
        {
            request.Headers.Authorization = new("Bearer", header);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }
}
