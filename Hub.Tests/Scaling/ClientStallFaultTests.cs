using System.Diagnostics;
using Hub.Client;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hub.Tests.Scaling;

/// <summary>
/// One client's network stalls (no FIN, no RST, nothing arrives either way) in a cluster of two hub processes under
/// steady numbered NOTIFYs, then comes back or is cut with a reset. The stalled client, the hub's own .NET client,
/// must notice by its server timeout, reconnect and get a resync that starts at the last message it really
/// received; it misses nothing silently and gets nothing twice or out of order; the other clients miss nothing.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ClientStallFaultTests(SharedPostgres postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    // Shorter than SignalR's default of 30 s so the default run stays short; the hub's notifications every 20 ms keep
    // a healthy connection far from it.
    private static readonly TimeSpan ShortServerTimeout = TimeSpan.FromSeconds(5);

    // SignalR's client default, for the on-demand case: what an application that configures nothing gets.
    private static readonly TimeSpan DefaultServerTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("resumed")]
    [InlineData("cut")]
    public Task A_client_whose_network_stalls_past_its_server_timeout_reconnects_with_a_resync_from_its_last_message(string end)
        => StallAsync(ShortServerTimeout + TimeSpan.FromSeconds(2), ShortServerTimeout, end);

    [Theory]
    [InlineData("resumed")]
    [InlineData("cut")]
    public Task A_client_whose_network_stalls_60_seconds_reconnects_with_a_resync_from_its_last_message(string end)
    {
        Assert.SkipWhen(
            Environment.GetEnvironmentVariable(Streams.FaultSuiteSize.Variable) is null,
            $"set {Streams.FaultSuiteSize.Variable}=quick (scripts/faults.sh sets it) to run it");
        return StallAsync(TimeSpan.FromSeconds(60), serverTimeout: null, end);
    }

    /// <param name="stall">How long the network stays stalled.</param>
    /// <param name="serverTimeout">The stalled client's server timeout; null for SignalR's default.</param>
    /// <param name="end">"resumed": the stalled connections carry on; "cut": they are reset.</param>
    private async Task StallAsync(TimeSpan stall, TimeSpan? serverTimeout, string end)
    {
        await using var fixture = await HubFixture.For(postgres.Server).WithDatabasePrefix("clientstall")
            .Configure(static settings => settings.Listener.SubscribeTimeout = TimeSpan.FromSeconds(20))
            .StartClusterAsync(2);
        var cluster = fixture.Cluster;
        var others = new List<DeliveryLedger>();
        for (var i = 0; i < 3; i++)
        {
            var instance = cluster.Instances[i % 2];
            others.Add(await fixture.TrackAsync(DeliveryLedger.FollowAsync(instance.HubUrl, fixture.Database, HubFixture.Events, messagePack: i == 1)));
            await cluster.SettledListenerAsync();
        }

        await using var proxy = new TcpProxy(cluster.Instances[0].Port);
        await using var load = SteadyNotifier.Start(fixture.DatabaseConnectionString, HubFixture.Events, Pace);
        // Connected once notifications flow, so a short server timeout never runs out on a connection that is merely idle.
        var timeout = serverTimeout ?? DefaultServerTimeout;
        var stalled = await fixture.TrackAsync(DeliveryLedger.FollowAsync(
            new Uri($"http://127.0.0.1:{proxy.Port}/hubs/notifications"), fixture.Database, HubFixture.Events,
            configureConnection: serverTimeout is { } configured ? builder => builder.WithServerTimeout(configured) : null));
        // What was committed before its Subscribe returned is not promised to it.
        var firstPromised = load.Sent;
        var everyone = others.Append(stalled).ToArray();
        var sentBefore = load.Sent;
        await Task.WhenAll(everyone.Select(c => c.WaitForAsync(sentBefore + 20, TimeSpan.FromSeconds(15))));

        var memoryBefore = await HubMemory.OfAsync(cluster.Instances);
        proxy.Stall();
        var stalledAt = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => stalled.Disconnects.Count > 0, timeout + TimeSpan.FromSeconds(15), "the stalled client should notice by its server timeout");
        var (disconnectedAt, error) = stalled.Disconnects[0];
        var detected = disconnectedAt - stalledAt;
        await Eventually.TrueAsync(() => watch.Elapsed >= stall, stall + TimeSpan.FromSeconds(5), "the network should stay stalled for the whole stall");
        if (end == "cut")
        {
            proxy.Cut();
        }
        else
        {
            proxy.Resume();
        }

        var back = Stopwatch.StartNew();
        var sentAtEnd = load.Sent;
        await stalled.WaitForAsync(sentAtEnd, TimeSpan.FromSeconds(30));
        var recovered = back.Elapsed;
        var sentAfter = load.Sent;
        await Eventually.TrueAsync(() => load.Sent > sentAfter + 50, TimeSpan.FromSeconds(10), "notifications should keep flowing");
        var last = await load.StopAsync();
        await Task.WhenAll(everyone.Select(c => c.WaitForAsync(last, TimeSpan.FromSeconds(30))));
        var memoryAfter = await HubMemory.OfAsync(cluster.Instances);

        var figure = $"client network stalled {stall.TotalSeconds:F0} s, then {end}, 2 instances, 50 NOTIFY/s";
        var audit = stalled.Audit(last, load.Times, firstPromised);
        output.WriteLine($"fault: {figure} | detected {detected.TotalSeconds:F2} s after the stall (server timeout {timeout.TotalSeconds:F0} s), delivery again {recovered.TotalSeconds:F2} s after the network came back | stalled client: {audit} | memory before: {memoryBefore}; after: {memoryAfter}");
        Assert.True(error is TimeoutException, $"the stalled client should have noticed by its server timeout, not by {error}");
        Assert.True(detected >= timeout - TimeSpan.FromSeconds(1), $"the stalled client noticed after {detected}, before its server timeout {timeout} could run out");
        Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, $"{audit}\n{cluster.Logs()}");
        Assert.True(audit.Missed > 0, "a stall loses what the hub sent meanwhile: the test should see a covered loss");

        // The window starts at the last message that really arrived, not when the loss was noticed.
        var lastBefore = stalled.LastArrivalBefore(disconnectedAt) ?? throw new InvalidOperationException("nothing arrived before the stall");
        var window = stalled.Resyncs.Single(static r => r.Reason == ResyncReasons.ClientReconnected);
        Assert.True(
            window.Since >= lastBefore.ReceivedAt && window.Since <= lastBefore.Arrived + TimeSpan.FromSeconds(1),
            $"the reconnect window starts at {window.Since:HH:mm:ss.fff}; the last notification before the stall ({lastBefore.Sequence}) was received by the hub at {lastBefore.ReceivedAt:HH:mm:ss.fff} and arrived at {lastBefore.Arrived:HH:mm:ss.fff}");

        foreach (var other in others)
        {
            var otherAudit = other.Audit(last, load.Times);
            output.WriteLine($"fault: {figure} | other client: {otherAudit}");
            // Missing nothing is what counts: a loaded machine may give an instance's clients a resync of its own (a
            // heartbeat late on the envelope channel) that has nothing to do with the stall.
            Assert.True(otherAudit.Missed == 0 && otherAudit.Duplicates == 0 && otherAudit.OutOfOrder == 0, $"another client was harmed: {otherAudit}\n{cluster.Logs()}");
        }
    }
}
