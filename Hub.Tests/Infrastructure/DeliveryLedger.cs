using System.Globalization;
using Hub.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A client that records, in the order they arrive, the numbered notifications (payload = sequence number) and the
/// resyncs of one database (a plain SignalR client, or the hub's own <see cref="NotificationHubClient"/>, which
/// resubscribes after a reconnect and raises its own resync), and audits them against what was sent: which numbers were missed, which
/// of those a resync covers, duplicates and numbers out of order.
/// </summary>
/// <remarks>
/// A miss counts as covered when a resync the client received holds its commit time or the time the hub received it.
/// The client knows neither exactly, so for a missed number k, between the notifications a and b it did receive:
/// the window must start no later than a's <c>receivedAt</c> (the hub received k after a) or, when the sender's
/// times are known, no later than the moment k's NOTIFY was sent (it committed after that); and it must end no
/// earlier than b's <c>receivedAt</c>, or no earlier than the moment k's commit returned, or have arrived before b
/// (the hub sends in the order it received). A miss with no a or no b needs only the other end.
/// </remarks>
public sealed class DeliveryLedger : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly string _database;
    private readonly HubConnection? _connection;
    private readonly IAsyncDisposable _owned;
    private readonly List<(DateTime At, Exception? Error)> _disconnects = [];
    private int _reconnecting;

    private DeliveryLedger(HubConnection connection, string database)
    {
        _connection = connection;
        _owned = connection;
        _database = database;
        connection.On<HubNotification>("notification", RecordNotification);
        connection.On<HubResync>("resync", RecordResync);
    }

    private DeliveryLedger(NotificationHubClient client, string database)
    {
        _owned = client;
        _database = database;
        client.Notification += RecordNotification;
        client.Resync += RecordResync;
        client.Disconnected += error =>
        {
            Interlocked.Increment(ref _reconnecting);
            lock (_gate)
            {
                _disconnects.Add((DateTime.UtcNow, error));
            }
        };
    }

    /// <summary>The plain SignalR connection (not for a ledger that follows through <see cref="NotificationHubClient"/>).</summary>
    public HubConnection Connection => _connection ?? throw new InvalidOperationException("This ledger follows through NotificationHubClient.");

    /// <summary>Connects to <paramref name="hubUrl"/> and subscribes to <paramref name="channel"/> of <paramref name="database"/>.</summary>
    public static async Task<DeliveryLedger> SubscribeAsync(Uri hubUrl, string database, string channel, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(hubUrl).WithAutomaticReconnect();
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var ledger = new DeliveryLedger(builder.Build(), database);
        // The official client reconnects only when the hub closed the connection with an error or allowed it to.
        ledger.Connection.Reconnecting += _ =>
        {
            Interlocked.Increment(ref ledger._reconnecting);
            return Task.CompletedTask;
        };
        await ledger.Connection.StartAsync();
        await ledger.Connection.InvokeAsync<string[]>("Subscribe", database, channel);
        return ledger;
    }

    /// <summary>
    /// Connects with the hub's own .NET client, which reconnects, resubscribes and raises a resync for what it may have
    /// missed meanwhile, and subscribes to <paramref name="channel"/> of <paramref name="database"/>.
    /// </summary>
    public static async Task<DeliveryLedger> FollowAsync(
        Uri hubUrl, string database, string channel, bool messagePack = false, Action<IHubConnectionBuilder>? configureConnection = null)
    {
        var client = new NotificationHubClient(new NotificationHubClientOptions
        {
            Url = hubUrl,
            Protocol = messagePack ? HubProtocol.MessagePack : HubProtocol.Json,
            MaxReconnectDelay = TimeSpan.FromSeconds(2),
            ConfigureConnection = configureConnection,
        });
        var ledger = new DeliveryLedger(client, database);
        await client.StartAsync();
        await client.SubscribeAsync(database, channel);
        return ledger;
    }

    /// <summary>How often the connection started to reconnect after the hub closed it.</summary>
    public int Reconnecting => Volatile.Read(ref _reconnecting);

    /// <summary>When (local clock) and why the hub's own client lost its connection, in order.</summary>
    public IReadOnlyList<(DateTime At, Exception? Error)> Disconnects
    {
        get
        {
            lock (_gate)
            {
                return [.. _disconnects];
            }
        }
    }

    /// <summary>
    /// The last notification that arrived before <paramref name="moment"/> (local clock): its number, the hub's
    /// <c>receivedAt</c> and when it arrived here; null when none had.
    /// </summary>
    public (int Sequence, DateTime ReceivedAt, DateTime Arrived)? LastArrivalBefore(DateTime moment)
    {
        lock (_gate)
        {
            return _entries.LastOrDefault(e => e.Sequence is not null && e.Arrived < moment) is { Sequence: { } sequence } last
                ? (sequence, last.At, last.Arrived)
                : null;
        }
    }

    /// <summary>The highest sequence number received so far, or -1.</summary>
    public int Highest
    {
        get
        {
            lock (_gate)
            {
                return _entries.Where(static e => e.Sequence is not null).Select(static e => e.Sequence!.Value).DefaultIfEmpty(-1).Max();
            }
        }
    }

    /// <summary>The resyncs received so far, in order.</summary>
    public IReadOnlyList<HubResync> Resyncs
    {
        get
        {
            lock (_gate)
            {
                return _entries.Where(static e => e.Resync is not null).Select(static e => e.Resync!).ToArray();
            }
        }
    }

    /// <summary>Waits until sequence number <paramref name="sequence"/> (or a later one) arrived.</summary>
    public Task WaitForAsync(int sequence, TimeSpan timeout)
        => Eventually.TrueAsync(() => Highest >= sequence, timeout, $"notification {sequence} should arrive (highest so far {Highest})");

    /// <summary>
    /// Audits what arrived against the numbers 0 to <paramref name="lastSent"/>; <paramref name="sentAt"/> gives, per
    /// number, when its NOTIFY was sent and when its commit returned, if known. Numbers below
    /// <paramref name="firstPromised"/> (committed before the client subscribed) count only if they arrived.
    /// </summary>
    public DeliveryAudit Audit(int lastSent, IReadOnlyList<(DateTime Sent, DateTime Committed)>? sentAt = null, int firstPromised = 0)
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = [.. _entries];
        }

        var seen = new HashSet<int>();
        int duplicates = 0, highest = -1;
        var outOfOrder = new List<string>();
        // Per received number: its index in arrival order and its receivedAt.
        var received = new SortedDictionary<int, (int Index, DateTime At)>();
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Sequence is not { } sequence)
            {
                continue;
            }

            if (!seen.Add(sequence))
            {
                duplicates++;
                continue;
            }

            if (sequence < highest)
            {
                outOfOrder.Add(string.Create(CultureInfo.InvariantCulture, $"{sequence} after {highest}"));
            }

            highest = Math.Max(highest, sequence);
            received[sequence] = (i, entries[i].At);
        }

        var resyncs = entries.Select(static (e, i) => (e.Resync, Index: i)).Where(static r => r.Resync is not null).ToArray();
        var receivedNumbers = received.Keys.ToArray();
        int missed = 0, covered = 0;
        var silent = new List<int>();
        for (var k = firstPromised; k <= lastSent; k++)
        {
            if (received.ContainsKey(k))
            {
                continue;
            }

            missed++;
            var after = Array.BinarySearch(receivedNumbers, k);
            after = ~after;
            (int Index, DateTime At)? a = after > 0 ? received[receivedNumbers[after - 1]] : null;
            (int Index, DateTime At)? b = after < receivedNumbers.Length ? received[receivedNumbers[after]] : null;
            (DateTime Sent, DateTime Committed)? times = sentAt is not null && k < sentAt.Count ? sentAt[k] : null;
            var isCovered = resyncs.Any(r =>
                r.Resync!.Database == _database
                && (a is null || r.Resync.Since <= a.Value.At || (times is { } t && r.Resync.Since <= t.Sent))
                && (b is null || r.Resync.Until >= b.Value.At || r.Index < b.Value.Index || (times is { } u && r.Resync.Until >= u.Committed)));
            if (isCovered)
            {
                covered++;
            }
            else
            {
                silent.Add(k);
            }
        }

        return new DeliveryAudit(received.Count, missed, covered, silent, duplicates, outOfOrder, resyncs.Select(static r => r.Resync!).ToArray());
    }

    public ValueTask DisposeAsync() => _owned.DisposeAsync();

    private void RecordNotification(HubNotification notification)
        => Record(new Entry(int.Parse(notification.Payload, CultureInfo.InvariantCulture), notification.ReceivedAt, null, DateTime.UtcNow));

    private void RecordResync(HubResync resync) => Record(new Entry(null, DateTime.UtcNow, resync, DateTime.UtcNow));

    private void Record(Entry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    /// <param name="At">The hub's <c>receivedAt</c> for a notification; the arrival for a resync.</param>
    /// <param name="Arrived">When it arrived here, on the local clock.</param>
    private sealed record Entry(int? Sequence, DateTime At, HubResync? Resync, DateTime Arrived);
}

/// <summary>What one client got of the numbers sent: the figures of the fault table in docs/reliability.md.</summary>
public sealed record DeliveryAudit(
    int Received, int Missed, int Covered, IReadOnlyList<int> Silent, int Duplicates, IReadOnlyList<string> OutOfOrderArrivals, IReadOnlyList<HubResync> Resyncs)
{
    public int OutOfOrder => OutOfOrderArrivals.Count;

    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"received {Received}, missed {Missed} (covered {Covered}, silent {Silent.Count}{(Silent.Count > 0 ? ": " + string.Join(',', Silent.Take(20)) : string.Empty)}), duplicates {Duplicates}, out of order {OutOfOrder}{(OutOfOrder > 0 ? ": " + string.Join(", ", OutOfOrderArrivals.Take(10)) : string.Empty)}, resyncs {Resyncs.Count}: {string.Join("; ", Resyncs.Take(5).Select(static r => $"{r.Reason} {r.Since:HH:mm:ss.fff}-{r.Until:HH:mm:ss.fff}"))}");
}
