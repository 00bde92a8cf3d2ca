using Hub.Server.Telemetry;
using System.Net;
using System.Security.Cryptography;
using Hub.Client;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Security;

public sealed class AuthenticationTests(SharedPostgres postgres)
{
    public static TheoryData<string> BadTokens => new()
    {
        "no token",
        "bad signature",
        "wrong audience",
        "expired",
        "not a token",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Connect_is_refused(string kind)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var token = kind switch
        {
            "no token" => null,
            "bad signature" => hub.Tokens.Create("mallory", key: RandomNumberGenerator.GetBytes(32)),
            "wrong audience" => hub.Tokens.Create("mallory", audience: "some-other-service"),
            "expired" => hub.Tokens.Create("mallory", expires: DateTime.UtcNow.AddSeconds(-5)),
            _ => "definitely.not.ajwt",
        };

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => RecordingClient.ConnectAsync(hub.Hub.HubUrl, accessToken: token));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        var valid = await hub.ConnectAsync("alice");
        Assert.Equal([HubFixture.Events], await valid.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task Valid_token_connects_and_receives_notifications()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        var client = await hub.ConnectAsync("alice");

        await client.SubscribeAsync(hub.Database, HubFixture.Events);
        await hub.NotifyAsync(HubFixture.Events, "hello");

        Assert.Equal("hello", (await client.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Token_in_query_string_is_taken_for_the_hub_websocket_only()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(s => s.Management.RequireRole = "ops").StartAsync();
        var token = hub.Tokens.Create("ops-user", [hub.Database], extraClaims: [new System.Security.Claims.Claim("role", "ops")]);

        // A browser's WebSocket carries the token in the URL: that works for the hub.
        var browserLike = await hub.TrackAsync(RecordingClientOverQueryString(hub.Hub.HubUrl, token));
        Assert.Equal([HubFixture.Events], await browserLike.SubscribeAsync(hub.Database, HubFixture.Events));

        // Anywhere else a token in the URL is ignored.
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };
        var viaQuery = await http.GetAsync(new Uri($"/api/stats?access_token={token}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, viaQuery.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        request.Headers.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Token_in_query_string_is_taken_for_the_hub_event_stream()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(static s => s.Transport.FallbackTransports = true).StartAsync();
        var token = hub.Tokens.Create("browser", [hub.Database]);
        using var http = new HttpClient { BaseAddress = hub.Hub.BaseUrl };
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/notifications/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new("Bearer", token);
        var negotiated = await (await http.SendAsync(negotiate, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var connectionToken = System.Text.Json.JsonDocument.Parse(negotiated).RootElement.GetProperty("connectionToken").GetString();

        using var withoutToken = await OpenEventStreamAsync(http, $"/hubs/notifications?id={connectionToken}");
        using var withToken = await OpenEventStreamAsync(http, $"/hubs/notifications?id={connectionToken}&access_token={token}");

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal("text/event-stream", withToken.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Token_expiring_mid_connection_closes_it_and_the_client_reconnects_with_a_new_token()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().StartAsync();
        // A token's exp is in whole seconds.
        var firstExpiry = DateTime.UnixEpoch.AddSeconds(Math.Floor((DateTime.UtcNow.AddSeconds(6) - DateTime.UnixEpoch).TotalSeconds));
        var disconnected = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var issued = new List<DateTime>();
        var options = new NotificationHubClientOptions
        {
            Url = hub.Hub.HubUrl,
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            AccessTokenProvider = () =>
            {
                // The client asks for a token on every request (negotiate, then the WebSocket): until the first
                // connection is closed it gets the short-lived one, afterwards one valid for ten minutes.
                var expires = disconnected.Task.IsCompleted ? DateTime.UtcNow.AddMinutes(10) : firstExpiry;
                lock (issued)
                {
                    issued.Add(expires);
                }

                return Task.FromResult<string?>(hub.Tokens.Create("alice", [hub.Database], expires: expires));
            },
        };
        await using var client = new NotificationHubClient(options);
        client.Disconnected += _ => disconnected.TrySetResult(DateTime.UtcNow);
        client.Reconnected += () => reconnected.TrySetResult();
        await client.StartAsync(TestContext.Current.CancellationToken);
        await client.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);

        var closedAt = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);

        Assert.InRange(closedAt, firstExpiry.AddMilliseconds(-100), firstExpiry.AddSeconds(5));
        lock (issued)
        {
            Assert.True(issued[^1] > firstExpiry.AddMinutes(5), "the client reconnected with a new token");
        }

        await using var reader = client.ReadAllAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var next = reader.MoveNextAsync().AsTask();
        await hub.NotifyAsync(HubFixture.Events, "resubscribed");
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("resubscribed", reader.Current.Payload);
        Assert.Contains(hub.Logs.Entries, static e => e.Text.Contains("authentication token has expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_access_when_enabled_is_logged_as_a_warning_and_allows_subscribing_not_publishing()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var settings = HubSettings.For(database, postgres.Server.ConnectionString(database), HubFixture.Events);
        var logs = new CapturedLogs();
        await using var hub = new HubHost(settings) { ConfigureHost = logs.AttachTo };
        await hub.StartAsync();
        await using var client = await RecordingClient.ConnectAsync(hub.HubUrl);

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.EventId == HubEventIds.AnonymousAccessEnabled);
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(database, null));
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => client.PublishAsync(database, HubFixture.Events, "x"));
        Assert.Contains($"publishing to database '{database}' is not allowed", Refusal.Of(error), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> OpenEventStreamAsync(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }

    private static async Task<RecordingClient> RecordingClientOverQueryString(Uri hubUrl, string token)
        => await RecordingClient.ConnectAsync(new Uri($"{hubUrl}?access_token={Uri.EscapeDataString(token)}"), skipNegotiation: true);
}
