using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Hub.Server.Limits;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Hub.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Limits;

public sealed class NegotiateFloodTests(SharedPostgres postgres)
{
    [Fact]
    public async Task A_user_negotiating_without_connecting_is_refused_with_429_after_the_limit_while_others_carry_on()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(static s =>
        {
            s.Limits.PendingNegotiationsPerUser = 5;
            s.Limits.RefusalLogLines = 3;
        }).StartAsync();
        using var metrics = new MetricRecorder(hub.Hub.Services.GetRequiredService<HubMetrics>().Meter);
        using var http = new HttpClient();
        var mallory = hub.Tokens.Create("mallory", [hub.Database]);

        var statuses = new List<HttpStatusCode>();
        string? refusal = null;
        for (var i = 0; i < 40; i++)
        {
            using var response = await NegotiateAsync(http, hub, mallory);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refusal ??= await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 35)), statuses);
        Assert.Equal("negotiate limit reached: a user may have at most 5 negotiations that have not connected yet (Hub:Limits:PendingNegotiationsPerUser); connect or retry shortly", refusal);
        Assert.Equal(35, metrics.Sum(HubDiagnostics.Instruments.NegotiationsRejected, (HubDiagnostics.Attributes.NegotiationLimit, HubDiagnostics.NegotiationLimits.User)));
        // The log is rate-limited: the first refusals of the interval, then only counted.
        Assert.Equal(3, hub.Logs.Entries.Count(static e => e.EventId.Name == "NegotiationRefused"));
        Assert.Equal(5, hub.Hub.Services.GetRequiredService<PendingNegotiations>().Count);

        // The official client of another user on the same address negotiates, connects, subscribes and receives.
        var alice = await hub.ConnectAsync("alice");
        Assert.Equal([HubFixture.Events], await alice.SubscribeAsync(hub.Database, HubFixture.Events));
        await hub.NotifyAsync(HubFixture.Events, "still served");
        Assert.Equal("still served", (await alice.NextNotificationAsync()).Payload);
        // Its negotiation ended when it connected.
        Assert.Equal(5, hub.Hub.Services.GetRequiredService<PendingNegotiations>().Count);
    }

    [Fact]
    public async Task A_negotiation_stops_counting_when_its_connection_arrives_or_it_times_out()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().Configure(static s =>
        {
            s.Limits.PendingNegotiationsPerUser = 2;
            s.Limits.NegotiationTimeout = TimeSpan.FromSeconds(2);
        }).StartAsync();
        var pending = hub.Hub.Services.GetRequiredService<PendingNegotiations>();
        using var http = new HttpClient();
        var bob = hub.Tokens.Create("bob", [hub.Database]);

        // A client that connects after each negotiation never piles any up, however often it reconnects.
        for (var i = 0; i < 6; i++)
        {
            await using var client = await RecordingClient.ConnectAsync(hub.HubUrl, accessToken: bob);
            Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
        }

        Assert.Equal(0, pending.Count);
        for (var i = 0; i < 2; i++)
        {
            using var admitted = await NegotiateAsync(http, hub, bob);
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }

        using (var refused = await NegotiateAsync(http, hub, bob))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        await Eventually.TrueAsync(() => pending.Count == 0, TimeSpan.FromSeconds(20), "unconnected negotiations time out");
        await using var again = await RecordingClient.ConnectAsync(hub.HubUrl, accessToken: bob);
        Assert.Equal([HubFixture.Events], await again.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task A_flood_from_many_addresses_keeps_the_bookkeeping_bounded()
    {
        const int Limit = 30;
        await using var hub = await HubFixture.For(postgres.Server).Configure(static s =>
        {
            s.Limits.PendingNegotiationsPerAddress = 4;
            s.Limits.MaxPendingNegotiations = Limit;
            s.Limits.NegotiationTimeout = TimeSpan.FromSeconds(3);
        }).StartAsync();
        var pending = hub.Hub.Services.GetRequiredService<PendingNegotiations>();

        // Anonymous callers, each from its own loopback address, then one address flooding on its own.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * Limit; i++)
        {
            using var http = FromAddress(IPAddress.Parse($"127.0.{1 + (i / 200)}.{2 + (i % 200)}"));
            using var response = await NegotiateAsync(http, hub, token: null);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(Limit, statuses.Count(static s => s == HttpStatusCode.OK));
        Assert.All(statuses.Skip(Limit), static s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(Limit, pending.Count);
        Assert.InRange(pending.Keys, 1, Limit);
        using (var http = FromAddress(IPAddress.Parse("127.0.9.9")))
        using (var refused = await NegotiateAsync(http, hub, token: null))
        {
            Assert.Equal("negotiate limit reached: the hub keeps at most 30 negotiations that have not connected yet (Hub:Limits:MaxPendingNegotiations); retry shortly",
                await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await Eventually.TrueAsync(() => pending.Count == 0 && pending.Keys == 0, TimeSpan.FromSeconds(20), "the bookkeeping empties as negotiations time out");
        using var flooder = FromAddress(IPAddress.Parse("127.0.9.10"));
        var fromOneAddress = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await NegotiateAsync(flooder, hub, token: null);
            fromOneAddress.Add(response.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 4).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 6)), fromOneAddress);
        var subscriber = await hub.SubscribedClientAsync();
        await hub.NotifyAsync(HubFixture.Events, "served");
        Assert.Equal("served", (await subscriber.NextNotificationAsync()).Payload);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void An_IPv6_host_counts_by_its_64_network(string address, string key)
        => Assert.Equal(key, NegotiationAddress.KeyOf(IPAddress.Parse(address)));

    internal static async Task<HttpResponseMessage> NegotiateAsync(HttpClient http, HubFixture hub, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hub.HubUrl + "/negotiate?negotiateVersion=1"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A client whose connections come from <paramref name="local"/>, an address of the loopback network.</summary>
    internal static HttpClient FromAddress(IPAddress local) => new(HandlerFrom(local));

    /// <summary>An HTTP stack whose connections come from <paramref name="local"/>, an address of the loopback network.</summary>
    internal static SocketsHttpHandler HandlerFrom(IPAddress local)
        => new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
}
