using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hub.Server.Http;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Http;

/// <summary>
/// <c>POST /api/publish</c>: the hub's <c>Publish</c> over HTTP for services that do not speak SignalR, with its
/// authorization, payload limits and refusal messages; subscribers receive what was posted.
/// </summary>
public sealed class PublishEndpointTests(SharedPostgres postgres)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Posted_notification_reaches_subscribers_through_the_listener()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);

        using var response = await PostAsync(hub, hub.Tokens.Create("backend", [], publish: [hub.Database]), new { database = hub.Database, channel = HubFixture.Events, payload = "{\"order\":42}" });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var notification = await subscriber.NextNotificationAsync();
        Assert.Equal("{\"order\":42}", notification.Payload);
        Assert.Equal(HubFixture.Events, notification.Channel);
        Assert.True(notification.ProcessId > 0, "it came from a PostgreSQL backend, through LISTEN");
    }

    [Fact]
    public async Task No_token_is_401_and_a_token_without_the_publish_claim_is_403_with_the_hubs_message()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        var body = new { database = hub.Database, channel = HubFixture.Events, payload = "x" };

        using var anonymous = await PostAsync(hub, token: null, body);
        using var reader = await PostAsync(hub, hub.Tokens.Create("reader-only", [hub.Database]), body);
        using var elsewhere = await PostAsync(hub, hub.Tokens.Create("writer", [], publish: ["some_other_database"]), body);
        using var forged = await PostAsync(hub, hub.Tokens.Create("forger", [], publish: ["*"], key: new byte[32]), body);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
        Assert.Equal($"publishing to database '{hub.Database}' is not allowed", await ErrorOf(reader));
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Equal($"publishing to database '{hub.Database}' is not allowed", await ErrorOf(elsewhere));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.False(await subscriber.ReceivesAnythingWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    public static TheoryData<string, string, string> BadRequests => new()
    {
        { """{"channel":"events","payload":"x"}""", "{0}", "database name is required" },
        { """{"database":"nope","channel":"events","payload":"x"}""", "{0}", "database 'nope' is not available" },
        { """{"database":"{0}","payload":"x"}""", "{0}", "channel name is required to publish" },
        { """{"database":"{0}","channel":"not_allowed","payload":"x"}""", "{0}", "channel name 'not_allowed' is not allowed for database '{0}'" },
        { """{"database":"{0}","channel":"events","payload":"a\u0000b"}""", "{0}", "payload must not contain NUL characters (PostgreSQL text cannot hold them)" },
        { """{"database":"{0}","channel":"events","payload":42}""", "{0}", "the request body must be a JSON object {\"database\": string, \"channel\": string, \"payload\": string}" },
        { """not json""", "{0}", "the request body must be a JSON object {\"database\": string, \"channel\": string, \"payload\": string}" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_request_gets_400_with_the_hubs_message_and_others_carry_on(string template, string placeholder, string expected)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        var token = hub.Tokens.Create("backend", [], publish: ["*"]);

        using var bad = await PostRawAsync(hub, token, template.Replace(placeholder, hub.Database, StringComparison.Ordinal));
        using var good = await PostAsync(hub, token, new { database = hub.Database, channel = HubFixture.Events, payload = "after the bad one" });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(expected.Replace(placeholder, hub.Database, StringComparison.Ordinal), await ErrorOf(bad));
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        Assert.Equal("after the bad one", (await subscriber.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Oversized_payload_is_refused_with_the_NOTIFY_limit()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var token = hub.Tokens.Create("backend", [], publish: [hub.Database]);

        using var response = await PostAsync(hub, token, new { database = hub.Database, channel = HubFixture.Events, payload = new string('a', 8000) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("payload is 8000 bytes; a NOTIFY payload must be shorter than 8000 bytes (UTF-8)", await ErrorOf(response));
    }

    [Fact]
    public async Task Body_larger_than_the_hubs_message_limit_is_413_and_not_json_is_415()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(static s => s.Limits.MaximumReceiveMessageSize = 16384).StartAsync();
        var token = hub.Tokens.Create("backend", [], publish: [hub.Database]);

        using var huge = await PostRawAsync(hub, token, $$"""{"database":"{{hub.Database}}","channel":"events","payload":"{{new string('a', 20_000)}}"}""");
        using var text = await PostRawAsync(hub, token, "hello", "text/plain");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("the request body is larger than 16384 bytes (Hub:Limits:MaximumReceiveMessageSize)", await ErrorOf(huge));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
    }

    [Fact]
    public async Task Unreachable_database_is_503_and_other_databases_still_work()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(s =>
            s.AddDatabase("down", $"Host=127.0.0.1;Port={FreePort.Next()};Database=down;Username=postgres;Timeout=1", HubFixture.Events)).StartAsync();
        var token = hub.Tokens.Create("backend", [], publish: ["*"]);

        using var down = await PostAsync(hub, token, new { database = "down", channel = HubFixture.Events, payload = "x" });
        using var up = await PostAsync(hub, token, new { database = hub.Database, channel = HubFixture.Events, payload = "x" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("publishing to database 'down' failed", await ErrorOf(down));
        Assert.Equal(HttpStatusCode.NoContent, up.StatusCode);
    }

    [Theory]
    [InlineData(false, HttpStatusCode.Unauthorized)]
    [InlineData(true, HttpStatusCode.NoContent)]
    public async Task With_anonymous_access_anonymous_callers_publish_only_when_allowed_to(bool anonymousMayPublish, HttpStatusCode expected)
    {
        await using var fixture = await HubFixture.For(postgres.Server).Configure(s => s.Auth.AnonymousMayPublish = anonymousMayPublish).StartAsync();
        var database = fixture.Database;
        var hub = fixture.Hub;

        using var response = await Http.PostAsJsonAsync(
            new Uri(hub.BaseUrl, PublishEndpoint.Path), new { database, channel = HubFixture.Events, payload = "x" }, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if (!anonymousMayPublish)
        {
            Assert.Equal($"publishing to database '{database}' is not allowed", await ErrorOf(response));
        }
    }

    [Fact]
    public async Task Databases_lists_what_the_caller_may_subscribe_to_and_whether_it_may_publish()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();

        var writer = await GetDatabasesAsync(hub, hub.Tokens.Create("writer", [hub.Database], publish: [hub.Database]));
        var reader = await GetDatabasesAsync(hub, hub.Tokens.Create("reader", [hub.Database]));
        var stranger = await GetDatabasesAsync(hub, hub.Tokens.Create("stranger", ["some_other_database"]));

        var listed = Assert.Single(writer.EnumerateArray());
        Assert.Equal(hub.Database, listed.GetProperty("name").GetString());
        Assert.Equal([HubFixture.Events, HubFixture.Other], listed.GetProperty("channels").EnumerateArray().Select(static c => c.GetString()));
        Assert.True(listed.GetProperty("publish").GetBoolean());
        Assert.False(Assert.Single(reader.EnumerateArray()).GetProperty("publish").GetBoolean());
        Assert.Empty(stranger.EnumerateArray());
    }

    private static Task<HttpResponseMessage> PostAsync(HubFixture hub, string? token, object body)
        => SendAsync(hub, token, JsonContent.Create(body));

    private static Task<HttpResponseMessage> PostRawAsync(HubFixture hub, string? token, string body, string mediaType = "application/json")
        => SendAsync(hub, token, new StringContent(body, Encoding.UTF8, mediaType));

    private static async Task<HttpResponseMessage> SendAsync(HubFixture hub, string? token, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hub.Hub.BaseUrl, PublishEndpoint.Path)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> GetDatabasesAsync(HubFixture hub, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(hub.Hub.BaseUrl, CallerDatabasesEndpoint.Path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return body.GetProperty("databases").Clone();
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetString();
}
