using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A plain SignalR client that records, in the order they arrive, the numbered notifications (payload = sequence
/// number) and the resyncs of one database, and audits them against what was sent: which numbers were missed, which
/// of those a resync covers, duplicates and numbers out of order.
/// </summary>
/// <remarks>
/// A missed number k, between the notifications a and b this client did receive, is covered by a resync whose window
/// starts no later than a's <c>receivedAt</c> and either ends no earlier than b's <c>receivedAt</c> or arrived before
/// b: the hub received k after a and, in order, before b, so such a window holds k's receive time. A miss with no a
/// (nothing received before it) needs only the second condition, one with no b only the first.
/// </remarks>
public sealed class DeliveryLedger : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly string _database;

    private DeliveryLedger(HubConnection connection, string database)
    {
        Connection = connection;
        _database = database;
        connection.On<Hub.Client.HubNotification>("notification", n => Record(new Entry(
            int.Parse(n.Payload, CultureInfo.InvariantCulture), n.ReceivedAt, null)));
        connection.On<Hub.Client.HubResync>("resync", r => Record(new Entry(null, DateTime.UtcNow, r)));
    }

    public HubConnection Connection { get; }

    /// <summary>Connects to <paramref name="hubUrl"/> and subscribes to <paramref name="channel"/> of <paramref name="database"/>.</summary>
    public static async Task<DeliveryLedger> SubscribeAsync(Uri hubUrl, string database, string channel, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(hubUrl);
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var ledger = new DeliveryLedger(builder.Build(), database);
        await ledger.Connection.StartAsync();
        await ledger.Connection.InvokeAsync<string[]>("Subscribe", database, channel);
        return ledger;
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
    public IReadOnlyList<Hub.Client.HubResync> Resyncs
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

    /// <summary>Audits what arrived against the numbers 0 to <paramref name="lastSent"/>.</summary>
    public DeliveryAudit Audit(int lastSent)
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = [.. _entries];
        }

        var seen = new HashSet<int>();
        int duplicates = 0, outOfOrder = 0, highest = -1;
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
                outOfOrder++;
            }

            highest = Math.Max(highest, sequence);
            received[sequence] = (i, entries[i].At);
        }

        var resyncs = entries.Select(static (e, i) => (e.Resync, Index: i)).Where(static r => r.Resync is not null).ToArray();
        var receivedNumbers = received.Keys.ToArray();
        int missed = 0, covered = 0;
        var silent = new List<int>();
        for (var k = 0; k <= lastSent; k++)
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
            var isCovered = resyncs.Any(r =>
                r.Resync!.Database == _database
                && (a is null || r.Resync.Since <= a.Value.At)
                && (b is null || r.Resync.Until >= b.Value.At || r.Index < b.Value.Index));
            if (isCovered)
            {
                covered++;
            }
            else
            {
                silent.Add(k);
            }
        }

        return new DeliveryAudit(received.Count, missed, covered, silent, duplicates, outOfOrder, resyncs.Length);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private void Record(Entry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    private sealed record Entry(int? Sequence, DateTime At, Hub.Client.HubResync? Resync);
}

/// <summary>What one client got of the numbers sent: the figures of the fault table in docs/reliability.md.</summary>
public sealed record DeliveryAudit(int Received, int Missed, int Covered, IReadOnlyList<int> Silent, int Duplicates, int OutOfOrder, int Resyncs)
{
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"received {Received}, missed {Missed} (covered {Covered}, silent {Silent.Count}{(Silent.Count > 0 ? ": " + string.Join(',', Silent.Take(20)) : string.Empty)}), duplicates {Duplicates}, out of order {OutOfOrder}, resyncs {Resyncs}");
}
