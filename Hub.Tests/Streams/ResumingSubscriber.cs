using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Streams;

/// <summary>
/// A client of an outbox database written the way the contract asks one to be, on the official SignalR client and
/// nothing else: it remembers the position of the last notification it delivered, drops any notification at or
/// before it, after every lost connection connects again and resumes with <c>SubscribeFrom</c> from it, and answers
/// a resync (on an outbox database: the hub may not have sent everything, as after a backplane outage) by resuming
/// from it on the same connection, asking again while the hub refuses. It delivers the numbered payloads it gets and
/// counts what it dropped, so a test can hold it against what was published.
/// </summary>
public sealed class ResumingSubscriber : IAsyncDisposable
{
    // A first subscription may install the schema and start the listener; a resume only reconnects and replays.
    private static readonly TimeSpan FirstAttemptTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ResumeAttemptTimeout = TimeSpan.FromSeconds(8);

    private readonly Func<Uri> _hubUrl;
    private readonly string _database;
    private readonly string? _channel;
    private readonly bool _messagePack;
    private readonly Lock _gate = new();
    private readonly List<int> _delivered = [];
    private readonly List<(int Seq, int Generation, DateTime ReceivedAt)> _arrivals = [];
    private readonly List<string> _resyncs = [];
    private readonly List<string> _subscribeCalls = [];
    private readonly List<(Hub.Client.HubResync Resync, int Arrivals)> _resyncsInStream = [];
    private readonly CancellationTokenSource _stop = new();
    private HubConnection? _connection;
    private Task _resuming = Task.CompletedTask;
    private string? _last;
    private int _dropped;
    private int _resumes;
    private Exception? _lastError;

    private ResumingSubscriber(Func<Uri> hubUrl, string database, string? channel, bool messagePack)
    {
        _hubUrl = hubUrl;
        _database = database;
        _channel = channel;
        _messagePack = messagePack;
    }

    /// <summary>The sequence numbers delivered, in the order they were.</summary>
    public IReadOnlyList<int> Delivered
    {
        get
        {
            lock (_gate)
            {
                return [.. _delivered];
            }
        }
    }

    /// <summary>Notifications dropped by the client's rule: at or before the last delivered position.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>How many times it resumed with SubscribeFrom after a lost connection.</summary>
    public int Resumes => Volatile.Read(ref _resumes);

    /// <summary>The reasons of every resync received (each answered by resuming), and "not recovered" for every resume the hub could not serve.</summary>
    public IReadOnlyList<string> Resyncs
    {
        get
        {
            lock (_gate)
            {
                return [.. _resyncs];
            }
        }
    }

    /// <summary>
    /// Each resync the hub sent, with when the hub received the notifications that came just before it and just after
    /// it (dropped ones included; null when none did): a resync comes where the hole in the stream is.
    /// </summary>
    public IReadOnlyList<(Hub.Client.HubResync Resync, DateTime? LastBefore, DateTime? FirstAfter)> ResyncsInStream
    {
        get
        {
            lock (_gate)
            {
                return [.. _resyncsInStream.Select(r => (
                    r.Resync,
                    r.Arrivals > 0 ? _arrivals[r.Arrivals - 1].ReceivedAt : (DateTime?)null,
                    r.Arrivals < _arrivals.Count ? _arrivals[r.Arrivals].ReceivedAt : (DateTime?)null))];
            }
        }
    }

    /// <summary>The last position delivered.</summary>
    public string? LastPosition
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Connects and starts from <paramref name="since"/> (null: live from the head).</summary>
    public static async Task<ResumingSubscriber> StartAsync(Func<Uri> hubUrl, string database, string? channel, string? since = null, bool messagePack = false)
    {
        var subscriber = Create(hubUrl, database, channel, since, messagePack);
        await subscriber.ConnectAsync();
        return subscriber;
    }

    /// <summary>A subscriber that starts from <paramref name="since"/> once <see cref="ConnectAsync"/> is called: what it delivers meanwhile can be watched.</summary>
    public static ResumingSubscriber Create(Func<Uri> hubUrl, string database, string? channel, string? since = null, bool messagePack = false)
        => new(hubUrl, database, channel, messagePack) { _last = since };

    /// <summary>Connects and subscribes (the first time), trying again for a while; completes when its <c>SubscribeFrom</c> did, after the replay.</summary>
    public async Task ConnectAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await TryConnectAsync(isResume: false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Could not subscribe to {_database} at {_hubUrl()}.", _lastError);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Drops the connection as a lost network would end it; the subscriber resumes by itself.</summary>
    public async Task AbortAsync()
    {
        if (_connection is { } connection)
        {
            await connection.StopAsync();
        }
    }

    /// <summary>Waits until <paramref name="count"/> sequence numbers have been delivered.</summary>
    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        try
        {
            await Infrastructure.Eventually.TrueAsync(() => Delivered.Count >= count, timeout, $"the subscriber should have delivered {count}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Delivered {Describe()}, not {count}.", ex);
        }
    }

    /// <summary>What it delivered, dropped and resumed, and the last error of a failed attempt.</summary>
    public string Describe()
    {
        var delivered = Delivered;
        var highest = delivered.Count > 0 ? delivered.Max() : -1;
        var missing = Enumerable.Range(0, highest + 1).Except(delivered).ToArray();
        var around = string.Empty;
        if (missing.Length > 0)
        {
            lock (_gate)
            {
                // What arrived around the first hole, as seq@connection, dropped ones included.
                var at = _arrivals.FindIndex(a => a.Seq > missing[0]);
                around = string.Join(" ", _arrivals.Skip(Math.Max(0, at - 5)).Take(20).Select(static a => $"{a.Seq}@{a.Generation}"));
            }
        }

        string calls;
        string arrived;
        lock (_gate)
        {
            // Every SubscribeFrom it made, with the position it resumed from and the one the hub answered: the hubs'
            // logs of the replays name the same positions.
            calls = string.Join("; ", _subscribeCalls);

            // When the first and the last notification came: a stream that stopped and one that is only slow differ.
            arrived = _arrivals.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{_arrivals[0].ReceivedAt:HH:mm:ss.fff} to {_arrivals[^1].ReceivedAt:HH:mm:ss.fff}")
                : "never";
        }

        return $"{delivered.Count} (last {(delivered.Count > 0 ? delivered[^1] : -1)}, missing [{string.Join(",", missing.Take(50))}], arrivals around the first: {around}, arrived {arrived}), dropped {Dropped}, resumed {Resumes} times, "
            + $"resyncs [{string.Join(", ", Resyncs)}], connection {_connection?.State.ToString() ?? "none"}, last error: {_lastError?.Message ?? "none"}; "
            + $"SubscribeFrom calls: {calls}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _resuming;
        }
        catch (OperationCanceledException)
        {
            // Stopped while resuming.
        }

        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task<bool> TryConnectAsync(bool isResume)
    {
        var builder = new HubConnectionBuilder().WithUrl(_hubUrl(), http =>
        {
            // WebSockets straight away: one TCP connection, which a cut network drops as a whole.
            http.SkipNegotiation = true;
            http.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
        });
        if (_messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        // A cut network sends nothing: noticing it takes the server timeout, short here so a test sees it soon.
        connection.ServerTimeout = TimeSpan.FromSeconds(5);
        connection.KeepAliveInterval = TimeSpan.FromSeconds(1);
        connection.On<Hub.Client.HubNotification>("notification", Deliver);
        connection.On<Hub.Client.HubResync>("resync", resync =>
        {
            lock (_gate)
            {
                _resyncs.Add(resync.Reason);
                _resyncsInStream.Add((resync, _arrivals.Count));
            }

            // Not awaited here: the client runs handlers on its receive loop, which the call's result needs.
            if (resync.Reason != Hub.Server.Contracts.ResyncReasons.HistoryUnavailable)
            {
                _ = Task.Run(() => ResumeOnAsync(connection));
            }
        });
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            attempt.CancelAfter(isResume ? ResumeAttemptTimeout : FirstAttemptTimeout);
            await connection.StartAsync(attempt.Token);
            await SubscribeFromAsync(connection, attempt.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            _lastError = ex;
            await connection.DisposeAsync();
            return false;
        }

        if (isResume)
        {
            Interlocked.Increment(ref _resumes);
        }

        connection.Closed += _ =>
        {
            if (!_stop.IsCancellationRequested)
            {
                _resuming = ResumeAsync();
            }

            return Task.CompletedTask;
        };
        _connection = connection;
        return true;
    }

    private async Task SubscribeFromAsync(HubConnection connection, CancellationToken cancellationToken)
    {
        var since = LastPosition;
        var started = DateTime.UtcNow;
        SubscribeFromReply reply;
        try
        {
            reply = await connection.InvokeAsync<SubscribeFromReply>("SubscribeFrom", _database, _channel, since, cancellationToken);
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _subscribeCalls.Add(string.Create(CultureInfo.InvariantCulture, $"{started:HH:mm:ss.fff} from {since ?? "null"} failed: {ex.GetType().Name}"));
            }

            throw;
        }

        lock (_gate)
        {
            _subscribeCalls.Add(string.Create(
                CultureInfo.InvariantCulture, $"{started:HH:mm:ss.fff} from {since ?? "null"} to {reply.Position} (recovered {reply.Recovered}) at {DateTime.UtcNow:HH:mm:ss.fff} after {_delivered.Count} delivered"));
            if (!reply.Recovered)
            {
                _resyncs.Add("not recovered");
            }

            // Starting live: the head is where the stream starts for this client.
            _last ??= reply.Position;
        }
    }

    private async Task ResumeOnAsync(HubConnection connection)
    {
        while (true)
        {
            try
            {
                await SubscribeFromAsync(connection, _stop.Token);
                Interlocked.Increment(ref _resumes);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                _lastError = ex;
            }

            // The connection went meanwhile: its Closed handler resumes on a new one. Else the hub refused the resume
            // (its database could not replay): asked again in a moment, as a client that must not lose its place does.
            if (connection.State != HubConnectionState.Connected)
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ResumeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (await TryConnectAsync(isResume: true))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
        }
    }

    private void Deliver(Hub.Client.HubNotification notification)
    {
        lock (_gate)
        {
            // The contract's rule: positions of one epoch order as ordinal strings; anything at or before the last
            // delivered one is a repeat (a failover re-sends at most one batch, the backplane may repeat at a seam).
            // Every arrival, dropped or not, with the connection it came on and when the hub received it, for a failure's
            // description and for where a resync came in the stream.
            _arrivals.Add((int.Parse(notification.Payload, CultureInfo.InvariantCulture), _resumes, notification.ReceivedAt));
            if (_last is not null && notification.Position is { } position
                && string.CompareOrdinal(position, 0, _last, 0, Hub.Server.Streams.StreamPosition.EpochPrefixLength) == 0
                && string.CompareOrdinal(position, _last) <= 0)
            {
                _dropped++;
                return;
            }

            _delivered.Add(int.Parse(notification.Payload, CultureInfo.InvariantCulture));
            _last = notification.Position;
        }
    }
}
