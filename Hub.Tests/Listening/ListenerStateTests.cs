using System.Diagnostics.Metrics;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Hub.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Listening;

/// <summary>The listener's state changes, its status, the LISTEN set and the backoff, without PostgreSQL.</summary>
public sealed class ListenerStateTests
{
    [Theory]
    [InlineData(ListenerState.Idle, ListenerState.Connecting, true)]
    [InlineData(ListenerState.Offline, ListenerState.Connecting, true)]
    [InlineData(ListenerState.Connecting, ListenerState.Listening, true)]
    [InlineData(ListenerState.Reconnecting, ListenerState.Standby, true)]
    [InlineData(ListenerState.Standby, ListenerState.Listening, true)]
    [InlineData(ListenerState.Listening, ListenerState.Reconnecting, true)]
    [InlineData(ListenerState.Listening, ListenerState.Idle, true)]
    [InlineData(ListenerState.Idle, ListenerState.Listening, false)]
    [InlineData(ListenerState.Listening, ListenerState.Standby, false)]
    [InlineData(ListenerState.Listening, ListenerState.Connecting, false)]
    [InlineData(ListenerState.Idle, ListenerState.Offline, false)]
    public void Only_the_transitions_the_loop_makes_are_allowed(ListenerState from, ListenerState to, bool allowed)
        => Assert.Equal(allowed, ListenerTransitions.IsAllowed(from, to));

    [Fact]
    public void Status_changes_state_only_along_allowed_transitions_and_logs_and_meters_each_change()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new HubMetrics(services.GetRequiredService<IMeterFactory>(), Options.Create(new TelemetryOptions()), TimeProvider.System);
        using var recorder = new MetricRecorder(metrics.Meter);
        using var logs = new CapturedLogs();
        using var status = new ListenerStatus("app", metrics, logs.CreateLogger("listener"));

        lock (status.Gate)
        {
            status.TransitionToLocked(ListenerState.Connecting);
            status.TransitionToLocked(ListenerState.Listening);
            status.TransitionToLocked(ListenerState.Listening);
            var refused = Assert.Throws<InvalidOperationException>(() => status.TransitionToLocked(ListenerState.Standby));
            Assert.Equal("Listener of database 'app' cannot go from Listening to Standby.", refused.Message);
        }

        Assert.Equal(ListenerState.Listening, status.Snapshot(pendingDeliveries: 0).State);
        Assert.Equal(
            ["Listener of database 'app': Idle -> Connecting.", "Listener of database 'app': Connecting -> Listening."],
            logs.Entries.Where(static e => e.EventId.Id == HubEventIds.ListenerStateChanged).Select(static e => e.Message));
        Assert.Equal(
            new (string?, string?)[] { ("idle", "connecting"), ("connecting", "listening") },
            recorder.Recorded(HubDiagnostics.Instruments.ListenerTransitions)
                .Select(static m => ((string?)m.Tag(HubDiagnostics.Attributes.PreviousListenerState), (string?)m.Tag(HubDiagnostics.Attributes.ListenerState))));
    }

    [Fact]
    public void Listen_set_plans_the_difference_and_stops_counting_unlistened_channels_at_once()
    {
        var set = new ListenSet();
        var first = set.Plan(["a", "b"]);
        Assert.Equal("LISTEN \"a\";LISTEN \"b\";", first.Sql());
        Assert.Empty(set.Active);
        set.Applied(first);

        var second = set.Plan(["b", "c"]);

        Assert.Equal(["c"], second.Listen);
        Assert.Equal(["a"], second.Unlisten);
        Assert.Equal(["b"], set.Active);
        set.Applied(second);
        Assert.Equal(["b", "c"], set.Active.Order(StringComparer.Ordinal));
        Assert.True(set.Plan(["b", "c"]).IsEmpty);
    }

    [Fact]
    public void Backoff_uses_equal_jitter_doubling_up_to_the_cap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(800));
        double[] ceilings = [100, 200, 400, 800, 800, 800];
        for (var round = 0; round < 200; round++)
        {
            backoff.Reset();
            foreach (var ceiling in ceilings)
            {
                var delay = backoff.NextDelay().TotalMilliseconds;
                Assert.InRange(delay, ceiling / 2, ceiling);
            }
        }

        Assert.Equal(ceilings.Length, backoff.Failures);
    }
}
