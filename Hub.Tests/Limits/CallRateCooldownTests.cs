using System.Net;
using System.Net.WebSockets;
using Hub.Server.Limits;
using Hub.Server.Telemetry;
using Hub.Testing.Wire;
using Hub.Tests.Infrastructure;
using Hub.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Limits;

public sealed class CallRateCooldownTests(SharedPostgres postgres)
{
    private const string UserRefusal =
        "connect refused: a connection of this user was closed for exceeding the call rate (Hub:Limits:RateLimitedCallsBeforeClose); it may connect again in 60 s (Hub:Limits:CallRateCooldown)";

    [Fact]
    public async Task A_user_closed_for_its_call_rate_cannot_negotiate_or_connect_during_the_cooldown_while_others_carry_on()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = await ClosingFlooders(HubFixture.For(postgres.Server).WithTokens().CaptureLogs(), TimeSpan.FromMinutes(1), time).StartAsync();
        using var metrics = new MetricRecorder(hub.Hub.Services.GetRequiredService<HubMetrics>().Meter);
        var alice = await hub.ConnectAsync("alice");
        await alice.SubscribeAsync(hub.Database, HubFixture.Events);
        var flooder = await hub.ConnectAsync("mallory", databases: []);
        var closed = ClosedSignal(flooder);

        await RefusedCalls.FloodAsync(flooder.Connection, 500);
        await closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // Whatever its token grants, the user is refused at negotiate, with the time left...
        var mallory = hub.Tokens.Create("mallory", [hub.Database]);
        using var http = new HttpClient();
        using (var refused = await NegotiateFloodTests.NegotiateAsync(http, hub, mallory))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
            Assert.Equal(UserRefusal, await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        // ...and when it skips negotiation and opens the WebSocket directly, and through the official client.
        var direct = await Assert.ThrowsAnyAsync<Exception>(() => RecordingClient.ConnectAsync(hub.HubUrl, accessToken: mallory, skipNegotiation: true));
        Assert.Contains("429", direct.ToString(), StringComparison.Ordinal);
        var negotiated = await Assert.ThrowsAnyAsync<Exception>(() => RecordingClient.ConnectAsync(hub.HubUrl, accessToken: mallory));
        Assert.Contains("429", negotiated.ToString(), StringComparison.Ordinal);

        // Meanwhile the connected user receives, and another user connects, subscribes and receives.
        var bob = await hub.ConnectAsync("bob");
        Assert.Equal([HubFixture.Events], await bob.SubscribeAsync(hub.Database, HubFixture.Events));
        await hub.NotifyAsync(HubFixture.Events, "others carry on");
        Assert.Equal("others carry on", (await alice.NextNotificationAsync()).Payload);
        Assert.Equal("others carry on", (await bob.NextNotificationAsync()).Payload);

        Assert.Equal(3, metrics.Sum(HubDiagnostics.Instruments.NegotiationsRejected, (HubDiagnostics.Attributes.NegotiationLimit, NegotiationLimitNames.Cooldown)));
        var closedLine = Assert.Single(hub.Logs.Entries, static e => e.EventId.Name == "ClosedForCallRate");
        Assert.Contains("user:mallory may not connect again for 00:01:00", closedLine.Message, StringComparison.Ordinal);
        Assert.Contains(hub.Logs.Entries, static e => e.EventId.Name == "ConnectRefusedInCooldown" && e.Message.Contains(UserRefusal, StringComparison.Ordinal));

        // After the cool-down the user is let in again.
        time.Advance(TimeSpan.FromSeconds(61));
        var back = await hub.ConnectAsync("mallory");
        Assert.Equal([HubFixture.Events], await back.SubscribeAsync(hub.Database, HubFixture.Events));
        Assert.Equal(0, hub.Hub.Services.GetRequiredService<CallRateCooldowns>().Count);
    }

    [Fact]
    public async Task An_anonymous_flooder_cools_down_by_its_address_and_other_addresses_connect()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = await ClosingFlooders(HubFixture.For(postgres.Server), TimeSpan.FromSeconds(30), time).StartAsync();
        var flooderAddress = IPAddress.Parse("127.0.0.7");
        using var fromFlooder = new HttpMessageInvoker(NegotiateFloodTests.HandlerFrom(flooderAddress));
        await using (var flooder = await RawHubConnection.ConnectAsync(hub.HubUrl, WireProtocol.Json, fromFlooder, cancellationToken: TestContext.Current.CancellationToken))
        {
            // The hub closes it after its burst and 20 refusals for the rate.
            var closedByHub = false;
            for (var i = 0; i < 1000 && !closedByHub; i++)
            {
                try
                {
                    await flooder.SubscribeAsync("no_such_database", null, TestContext.Current.CancellationToken);
                    Assert.Fail("a database the hub does not serve was subscribed to");
                }
                catch (HubInvocationException)
                {
                    // Refused, as every call of this loop.
                }
                catch (WebSocketException)
                {
                    closedByHub = true;
                }
            }

            Assert.True(closedByHub, "the hub closed the flooding connection");
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => RawHubConnection.ConnectAsync(hub.HubUrl, WireProtocol.Json, fromFlooder, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("429", refused.Message, StringComparison.Ordinal);
        using (var negotiate = NegotiateFloodTests.FromAddress(flooderAddress))
        using (var response = await NegotiateFloodTests.NegotiateAsync(negotiate, hub, token: null))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(
                "connect refused: a connection of this address was closed for exceeding the call rate (Hub:Limits:RateLimitedCallsBeforeClose); it may connect again in 30 s (Hub:Limits:CallRateCooldown)",
                await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        // Anonymous callers from another address are not held back.
        var subscriber = await hub.SubscribedClientAsync();
        await hub.NotifyAsync(HubFixture.Events, "served");
        Assert.Equal("served", (await subscriber.NextNotificationAsync()).Payload);

        time.Advance(TimeSpan.FromSeconds(31));
        await using var again = await RawHubConnection.ConnectAsync(hub.HubUrl, WireProtocol.Json, fromFlooder, cancellationToken: TestContext.Current.CancellationToken);
        await again.SubscribeAsync(hub.Database, HubFixture.Events, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void A_cooldown_ends_after_its_time_restarts_when_the_key_is_closed_again_and_the_keys_are_bounded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cooldowns = new CallRateCooldowns(Options.Create(new LimitOptions { CallRateCooldown = TimeSpan.FromSeconds(30) }), time);
        Assert.True(cooldowns.IsEmpty);
        Assert.False(cooldowns.TryGetRemaining("user:a", out _));

        cooldowns.Start("user:a");
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(cooldowns.TryGetRemaining("user:a", out var remaining));
        Assert.Equal(TimeSpan.FromSeconds(10), remaining);
        Assert.False(cooldowns.TryGetRemaining("user:b", out _));

        cooldowns.Start("user:a");
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(cooldowns.TryGetRemaining("user:a", out remaining));
        Assert.Equal(TimeSpan.FromSeconds(10), remaining);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(cooldowns.TryGetRemaining("user:a", out _));
        Assert.Equal(0, cooldowns.Count);

        for (var i = 0; i < CallRateCooldowns.MaxKeys + 50; i++)
        {
            cooldowns.Start(CallRateCooldowns.KeyOf(user: null, address: $"10.0.{i / 256}.{i % 256}"));
        }

        Assert.Equal(CallRateCooldowns.MaxKeys, cooldowns.Count);
        Assert.False(cooldowns.TryGetRemaining("address:10.0.0.0", out _));
        Assert.True(cooldowns.TryGetRemaining(CallRateCooldowns.KeyOf(null, "10.0.39.49"), out _));
    }

    [Fact]
    public void A_zero_cooldown_holds_nobody_back()
    {
        var cooldowns = new CallRateCooldowns(Options.Create(new LimitOptions { CallRateCooldown = TimeSpan.Zero }), TimeProvider.System);
        cooldowns.Start("user:a");
        Assert.True(cooldowns.IsEmpty);
        Assert.False(cooldowns.TryGetRemaining("user:a", out _));
    }

    /// <summary>
    /// A hub that closes a connection after its burst of 5 and 20 refusals for the rate, and runs its cool-downs of
    /// <paramref name="cooldown"/> on <paramref name="time"/>, so that a test ends one without waiting for it.
    /// </summary>
    private static HubFixtureBuilder ClosingFlooders(HubFixtureBuilder hub, TimeSpan cooldown, TimeProvider time)
        => hub
            .Configure(s =>
            {
                s.Limits.CallBurst = 5;
                s.Limits.RateLimitedCallsBeforeClose = 20;
                s.Limits.CallRateCooldown = cooldown;
            })
            .ConfigureServices(builder => builder.Services.AddSingleton(
                services => new CallRateCooldowns(services.GetRequiredService<IOptions<LimitOptions>>(), time)));

    private static Task ClosedSignal(RecordingClient client)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }
}
