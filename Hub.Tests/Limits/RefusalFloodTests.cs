using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Limits;

public sealed class RefusalFloodTests(SharedPostgres postgres)
{
    private const int Connections = 4;
    private const int CallsPerConnection = 1000;

    [Fact]
    public async Task A_flood_of_refused_calls_writes_a_bounded_log_without_stack_traces()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(static s => s.Limits.RateLimitedCallsBeforeClose = 0).StartAsync();
        var legitimate = await hub.ConnectAsync("alice");
        await legitimate.SubscribeAsync(hub.Database, HubFixture.Events);
        var attackers = new List<RecordingClient>();
        for (var i = 0; i < Connections; i++)
        {
            attackers.Add(await hub.ConnectAsync("mallory", databases: []));
        }

        // Each call asks for a database the token does not grant: the first ones are refused by authorization,
        // the rest by the call rate.
        var refused = await Task.WhenAll(attackers.Select(a => RefusedCalls.FloodAsync(a.Connection, CallsPerConnection)));

        Assert.Equal(Connections * CallsPerConnection, refused.Sum());
        var entries = hub.Logs.Entries.ToList();
        Assert.DoesNotContain(entries, static e => e.Exception is HubException);
        Assert.DoesNotContain(entries, static e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(entries, static e => e.Category.StartsWith("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", StringComparison.Ordinal) && e.Level >= LogLevel.Information);
        var refusalLines = entries.Count(static e => e.EventId.Name == "CallRefused");
        Assert.InRange(refusalLines, 1, Connections * 10);
        Assert.InRange(entries.Count(static e => e.Level >= LogLevel.Information), 1, 100);

        await hub.NotifyAsync(HubFixture.Events, "still served");
        Assert.Equal("still served", (await legitimate.NextNotificationAsync()).Payload);
        var late = await hub.ConnectAsync("bob");
        Assert.Equal([HubFixture.Other], await late.SubscribeAsync(hub.Database, HubFixture.Other));

        // What was not logged is summed up in one line per connection when it closes.
        foreach (var attacker in attackers)
        {
            await attacker.DisposeAsync();
        }

        await Eventually.TrueAsync(
            () => hub.Logs.Entries.Count(static e => e.EventId.Name == "RefusalsNotLogged") == Connections,
            TimeSpan.FromSeconds(10),
            "each flooding connection's unlogged refusals are summed up when it closes");
    }

    [Fact]
    public async Task A_connection_that_keeps_hitting_the_rate_limit_is_closed()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(static s =>
        {
            s.Limits.CallBurst = 5;
            s.Limits.RateLimitedCallsBeforeClose = 50;
        }).StartAsync();
        var sameUser = await hub.ConnectAsync("mallory");
        var flooder = await hub.ConnectAsync("mallory");
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flooder.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await RefusedCalls.FloodAsync(flooder.Connection, 500);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Single(hub.Logs.Entries, static e => e.EventId.Name == "ClosedForCallRate");
        Assert.Equal([HubFixture.Events], await sameUser.SubscribeAsync(hub.Database, HubFixture.Events));
        await hub.NotifyAsync(HubFixture.Events, "others carry on");
        Assert.Equal("others carry on", (await sameUser.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task A_caller_within_the_rate_is_never_closed()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().CaptureLogs().Configure(static s =>
        {
            s.Limits.CallsPerSecond = 1000;
            s.Limits.CallBurst = 1000;
            s.Limits.RateLimitedCallsBeforeClose = 5;
        }).StartAsync();
        var client = await hub.ConnectAsync("alice");

        // Refusals that are not about the rate (a database the token does not grant) never close the connection.
        Assert.Equal(300, await RefusedCalls.FloodAsync(client.Connection, 300));

        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        Assert.Equal([HubFixture.Events], await client.SubscribeAsync(hub.Database, HubFixture.Events));
    }
}
