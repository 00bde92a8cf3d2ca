using System.Globalization;
using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Hub.Server.Telemetry;
using Hub.Tests.Infrastructure;
using Hub.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Delivery;

/// <summary>
/// A database's delivery queue is bounded by length and age: over the bound it drops the oldest notifications and
/// sends one resync whose window holds every dropped one, never pushes minutes late and never unbounded memory.
/// </summary>
public sealed class DeliveryQueueBoundTests(SharedPostgres postgres, ITestOutputHelper output)
{
    private const string Database = "app";

    [Fact]
    public async Task A_flood_over_the_length_bound_drops_the_oldest_and_one_resync_covers_them()
    {
        var sender = new GatedSender();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var queue = new DeliveryQueue(Database, sender, Telemetry(time), NullLogger.Instance, new DeliveryOptions { MaxQueueLength = 100 }, time);
        // Declared after the queue, so disposed before it: a failing test opens the sender and the queue can stop.
        using var opened = sender.OpenOnDispose();

        // The first notification goes to the sender, which holds it: everything after it queues up.
        var sent = new List<NotificationEnvelope>();
        sent.Add(Notification(0, time));
        queue.Enqueue(sent[0]);
        await sender.WaitForHeldAsync();
        for (var i = 1; i <= 10_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            sent.Add(Notification(i, time));
            queue.Enqueue(sent[^1]);
            // At most the bound waits, behind the one the sender holds.
            Assert.True(queue.Pending <= 100 + 1, $"{queue.Pending} queued after {i}");
        }

        sender.Open();
        await Eventually.TrueAsync(() => sender.Sent.Count == 102, TimeSpan.FromSeconds(10), "the kept notifications and one resync should go out");
        await Eventually.TrueAsync(() => queue.Pending == 0, TimeSpan.FromSeconds(10), "the queue should drain");

        var resync = Assert.IsType<ResyncEnvelope>(Assert.Single(sender.Sent, static e => e is ResyncEnvelope));
        Assert.Equal(ResyncReasons.DeliveryOverloaded, resync.Reason);
        var delivered = sender.Sent.OfType<NotificationEnvelope>().ToArray();
        // The first (already sending) and the newest 100 went out, in order, and then one resync for all the rest.
        Assert.Equal([0, .. Enumerable.Range(9_901, 100)], delivered.Select(static n => int.Parse(n.Payload, CultureInfo.InvariantCulture)));
        var dropped = sent.Except(delivered).ToArray();
        Assert.Equal(9_900, dropped.Length);
        Assert.All(dropped, n => Assert.InRange(n.ReceivedAt, resync.Since, resync.Until));
        // The first was still being sent when the drops began, so the window starts at the first dropped one.
        Assert.Equal(sent[1].ReceivedAt, resync.Since);
    }

    [Fact]
    public async Task A_notification_older_than_the_age_bound_is_dropped_instead_of_sent_late()
    {
        var sender = new GatedSender();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var queue = new DeliveryQueue(Database, sender, Telemetry(time), NullLogger.Instance, new DeliveryOptions { MaxQueueAge = TimeSpan.FromSeconds(10) }, time);
        using var opened = sender.OpenOnDispose();
        queue.Enqueue(Notification(0, time));
        await sender.WaitForHeldAsync();
        var stale = Notification(1, time);
        queue.Enqueue(stale);
        time.Advance(TimeSpan.FromSeconds(11));
        var fresh = Notification(2, time);
        queue.Enqueue(fresh);

        sender.Open();
        await Eventually.TrueAsync(() => sender.Sent.Count == 3, TimeSpan.FromSeconds(10), "the first, a resync and the fresh one should go out");
        // The resync waits until the queue has caught up, so one overload costs one reload.
        Assert.Equal("0", Assert.IsType<NotificationEnvelope>(sender.Sent[0]).Payload);
        Assert.Equal(fresh, sender.Sent[1]);
        var resync = Assert.IsType<ResyncEnvelope>(sender.Sent[2]);
        Assert.InRange(stale.ReceivedAt, resync.Since, resync.Until);
    }

    [Fact]
    [Trait("Category", "Faults")]
    public async Task A_flood_through_the_hub_reaches_clients_with_every_miss_inside_a_resync_and_the_rest_in_order()
    {
        await using var scenario = await HubFixture.For(postgres.Server)
            .Configure(static settings => settings.Delivery.MaxQueueLength = 50)
            .StartAsync();
        using var metrics = new MetricRecorder(scenario.Hub.Services.GetRequiredService<HubMetrics>().Meter);
        var clients = new List<DeliveryLedger>();
        for (var i = 0; i < 4; i++)
        {
            clients.Add(await scenario.TrackAsync(DeliveryLedger.SubscribeAsync(scenario.HubUrl, scenario.Database, HubFixture.Events, messagePack: i % 2 == 1)));
        }

        await scenario.NotifyAsync(HubFixture.Events, "0");
        await Task.WhenAll(clients.Select(static c => c.WaitForAsync(0, TimeSpan.FromSeconds(10))));

        var memoryBefore = await HubMemory.OfAsync(scenario.Hub);
        // One transaction: PostgreSQL hands the hub 20,000 notifications at once, far over the queue's 50.
        const int Flood = 20_000;
        await Postgres.NotifyBurstAsync(scenario.DatabaseConnectionString, HubFixture.Events, Flood);
        var after = Enumerable.Range(Flood + 1, 20).Select(static i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        await Postgres.NotifyManyAsync(scenario.DatabaseConnectionString, HubFixture.Events, after);
        const int Last = Flood + 20;
        await Task.WhenAll(clients.Select(static c => c.WaitForAsync(Last, TimeSpan.FromSeconds(60))));
        var memoryAfter = await HubMemory.OfAsync(scenario.Hub);

        var dropped = metrics.Sum(HubDiagnostics.Instruments.DeliveriesDropped);
        Assert.True(dropped > 0, "a flood 400 times the bound should drop some");
        foreach (var client in clients)
        {
            var audit = client.Audit(Last);
            output.WriteLine($"fault: flood of 20,000 over Hub:Delivery:MaxQueueLength 50 | dropped {dropped} | {audit} | memory before: {memoryBefore}; after: {memoryAfter}");
            Assert.True(audit.Silent.Count == 0 && audit.Duplicates == 0 && audit.OutOfOrder == 0, audit.ToString());
            // Every drop is a miss of every client, and nothing else is.
            Assert.Equal(dropped, audit.Missed);
            Assert.Contains(client.Resyncs, static r => r.Reason == ResyncReasons.DeliveryOverloaded);
        }
    }

    private static DeliveryTelemetry Telemetry(TimeProvider time)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new TelemetryOptions());
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new DeliveryTelemetry(new HubMetrics(meters, options, time), new HubActivities(options, time));
    }

    private static NotificationEnvelope Notification(int sequence, TimeProvider time)
        => new(Database, "events", sequence.ToString(CultureInfo.InvariantCulture), 1, time.GetUtcNow().UtcDateTime);

    /// <summary>Records what the queue sends; holds the first send until opened, as a stalled backplane would.</summary>
    private sealed class GatedSender : IEnvelopeSender
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private readonly List<Envelope> _sent = [];

        public IReadOnlyList<Envelope> Sent
        {
            get
            {
                lock (_gate)
                {
                    return [.. _sent];
                }
            }
        }

        public Task WaitForHeldAsync() => _held.Task.WaitAsync(TimeSpan.FromSeconds(10));

        public void Open() => _open.TrySetResult();

        public Opener OpenOnDispose() => new(this);

        public readonly struct Opener(GatedSender sender) : IDisposable
        {
            public void Dispose() => sender.Open();
        }

        public async Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            _held.TrySetResult();
            await _open.Task;
            lock (_gate)
            {
                _sent.Add(envelope);
            }
        }

        public Task SendToConnectionAsync(string connectionId, Envelope envelope, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
