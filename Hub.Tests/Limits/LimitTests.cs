using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Limits;

public sealed class LimitTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Subscriptions_per_connection_limit_refuses_the_next_and_keeps_the_ones_held()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(s => s.Limits.SubscriptionsPerConnection = 1).StartAsync();
        var client = await hub.ConnectAsync("alice");
        var other = await hub.ConnectAsync("bob");
        await client.SubscribeAsync(hub.Database, HubFixture.Events);

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(hub.Database, HubFixture.Other));
        var all = await Assert.ThrowsAsync<HubException>(() => other.SubscribeAsync(hub.Database, null));

        Assert.Equal("subscription limit reached: a connection may hold at most 1 channel subscriptions (Hub:Limits:SubscriptionsPerConnection)", Refusal.Of(error));
        Assert.Equal(Refusal.Of(error), Refusal.Of(all));
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
        await hub.NotifyAsync(HubFixture.Events, "still subscribed");
        Assert.Equal("still subscribed", (await client.NextNotificationAsync()).Payload);
        Assert.Equal([HubFixture.Other], await other.SubscribeAsync(hub.Database, HubFixture.Other));
    }

    [Fact]
    public async Task Connections_per_user_limit_closes_the_extra_connection_with_the_reason()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(s => s.Limits.ConnectionsPerUser = 2).StartAsync();
        var first = await hub.ConnectAsync("alice");
        var second = await hub.ConnectAsync("alice");

        var (extra, closed) = await ConnectWatchingCloseAsync(hub, hub.Tokens.Create("alice", [hub.Database]));
        var error = await closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var otherUser = await hub.ConnectAsync("bob");

        Assert.Contains("connection limit reached: a user may hold at most 2 connections (Hub:Limits:ConnectionsPerUser)", error?.Message, StringComparison.Ordinal);
        Assert.Equal([HubFixture.Events], await first.SubscribeAsync(hub.Database, HubFixture.Events));
        Assert.Equal([HubFixture.Events], await second.SubscribeAsync(hub.Database, HubFixture.Events));
        Assert.Equal([HubFixture.Events], await otherUser.SubscribeAsync(hub.Database, HubFixture.Events));
        await extra.DisposeAsync();

        // A slot frees up when a connection of the user closes. A refused connection never answers a call,
        // so a successful Subscribe shows the new connection was accepted.
        await second.DisposeAsync();
        var users = hub.Hub.Services.GetRequiredService<Hub.Server.Limits.UserConnections>();
        await Eventually.TrueAsync(() => users.Of("alice") == 1, TimeSpan.FromSeconds(10), "the closed connection is no longer counted");
        var third = await hub.ConnectAsync("alice");
        Assert.Equal([HubFixture.Events], await third.SubscribeAsync(hub.Database, HubFixture.Events));
    }

    [Fact]
    public async Task Message_larger_than_the_maximum_closes_that_connection_only()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(s => s.Limits.MaximumReceiveMessageSize = 4096).StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        var (sender, closed) = await ConnectWatchingCloseAsync(hub, hub.Tokens.Create("writer", [], publish: ["*"]));

        var send = sender.InvokeAsync("Publish", hub.Database, HubFixture.Events, new string('x', 5000), TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<Exception>(() => send);
        await closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await hub.NotifyAsync(HubFixture.Events, "others carry on");

        Assert.Equal(HubConnectionState.Disconnected, sender.State);
        Assert.Equal("others carry on", (await subscriber.NextNotificationAsync()).Payload);
        Assert.Contains(hub.Logs.Entries, e => e.Text.Contains("maximum message size of 4096B was exceeded", StringComparison.Ordinal));
        await sender.DisposeAsync();
    }

    [Fact]
    public async Task Call_rate_limit_refuses_bursts_then_lets_calls_through_again()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(s =>
        {
            s.Limits.CallsPerSecond = 1;
            s.Limits.CallBurst = 2;
        }).StartAsync();
        var client = await hub.ConnectAsync("alice");
        var calm = await hub.ConnectAsync("bob");
        await calm.SubscribeAsync(hub.Database, HubFixture.Events);

        // The bucket holds two calls and gains one a second, so of seven calls made at once most are refused.
        var refusals = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            try
            {
                await client.SubscribeAsync(hub.Database, HubFixture.Events);
            }
            catch (HubException error)
            {
                refusals.Add(Refusal.Of(error));
            }
        }

        Assert.InRange(refusals.Count, 2, 5);
        Assert.All(refusals, static r => Assert.Equal("rate limit reached: a connection may make at most 1 calls per second (Hub:Limits:CallsPerSecond); retry shortly", r));
        await hub.NotifyAsync(HubFixture.Events, "delivery is not rate-limited");
        Assert.Equal("delivery is not rate-limited", (await client.NextNotificationAsync()).Payload);
        Assert.Equal("delivery is not rate-limited", (await calm.NextNotificationAsync()).Payload);
        Assert.Equal([HubFixture.Events, HubFixture.Other], await calm.SubscribeAsync(hub.Database, HubFixture.Other));
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    return (await client.SubscribeAsync(hub.Database, HubFixture.Other)).Length == 2;
                }
                catch (HubException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(5),
            "the bucket refills");
    }

    private static async Task<(HubConnection Connection, Task<Exception?> Closed)> ConnectWatchingCloseAsync(HubFixture hub, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hub.Hub.HubUrl, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await connection.StartAsync();
        return (connection, closed.Task);
    }
}
