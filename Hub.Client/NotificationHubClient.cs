using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Client;

/// <summary>
/// A connection to the notification hub that stays subscribed: it reconnects by itself, subscribes again to
/// everything it had (SignalR groups do not survive a reconnect), and raises <see cref="Resync"/> for the time
/// it was away, because notifications sent meanwhile are gone. Subscriptions to an outbox database made with
/// <see cref="SubscribeFromAsync"/> lose nothing instead: after a reconnect they resume from the last position
/// delivered, and a resync comes only when the hub can no longer resume from it.
/// </summary>
/// <example>
/// <code>
/// await using var client = new NotificationHubClient(new() { Url = new("http://localhost:5080/hubs/notifications") });
/// client.Resync += r => Console.WriteLine($"reload {r.Database}");
/// await client.StartAsync();
/// await client.SubscribeAsync("app", "hub_events");
/// await foreach (var n in client.ReadAllAsync()) Console.WriteLine(n.Payload);
/// </code>
/// </example>
public sealed partial class NotificationHubClient : IAsyncDisposable
{
    private readonly NotificationHubClientOptions _options;
    private readonly ILogger _logger;
    private readonly HubConnection _connection;
    private readonly SemaphoreSlim _subscriptionsGate = new(1, 1);
    private readonly Dictionary<string, SortedSet<string>> _subscriptions = new(StringComparer.Ordinal);
    private readonly Lock _readersGate = new();
    private readonly List<ChannelWriter<HubNotification>> _readers = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly StreamCursors _cursors = new();
    private readonly ReceiveClock _clock = new(TimeProvider.System);
    private DateTime _lastHeardBeforeLoss;
    private Task _restart = Task.CompletedTask;

    /// <summary>Creates a client; nothing connects before <see cref="StartAsync"/>.</summary>
    public NotificationHubClient(NotificationHubClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Url is null)
        {
            throw new ArgumentException("NotificationHubClientOptions.Url is required.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)loggerFactory?.CreateLogger<NotificationHubClient>() ?? NullLogger.Instance;
        _connection = BuildConnection(options, loggerFactory, _logger, _clock);
        _connection.On<HubNotification>(ClientMethods.Notification, OnNotification);
        _connection.On<HubResync>(ClientMethods.Resync, resync => Raise(Resync, resync, nameof(Resync)));
        _connection.Reconnecting += OnReconnecting;
        _connection.Reconnected += OnReconnectedAsync;
        _connection.Closed += OnClosedAsync;
    }

    /// <summary>
    /// Raised for each notification, in the order the hub sent them. A notification of an outbox database at or
    /// before the last position delivered on its channel (a repeat where a resume meets the live stream) is dropped.
    /// </summary>
    public event Action<HubNotification>? Notification;

    /// <summary>Raised when notifications of a database may have been missed; reload its state.</summary>
    public event Action<HubResync>? Resync;

    /// <summary>Raised when the client lost its connection and starts reconnecting.</summary>
    public event Action<Exception?>? Disconnected;

    /// <summary>Raised once the client is connected again and has resubscribed.</summary>
    public event Action? Reconnected;

    /// <summary>Raised when resubscribing after a reconnect failed for a database; the client retries on the next reconnect.</summary>
    public event Action<string, Exception>? ResubscribeFailed;

    /// <summary>The state of the underlying connection.</summary>
    public HubConnectionState State => _connection.State;

    /// <summary>The databases and channels this client is subscribed to.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Subscriptions
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.ToDictionary(static p => p.Key, static p => (IReadOnlyCollection<string>)p.Value.ToArray(), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Connects, retrying with backoff until the hub answers or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0L; ; attempt++)
        {
            try
            {
                await _connection.StartAsync(cancellationToken).ConfigureAwait(false);
                _clock.Stamp();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ObjectDisposedException)
            {
                var delay = ForeverRetryPolicy.DelayFor(attempt + 1, _options.MaxReconnectDelay);
                ClientLog.ReconnectAttempt(_logger, attempt + 2, delay, ex.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Subscribes to <paramref name="channel"/> of <paramref name="database"/>, or to all its channels when null.
    /// When this returns, every NOTIFY committed from now on is delivered, so load your state after it.
    /// </summary>
    /// <returns>The channels of the database this client is subscribed to now.</returns>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The hub refused, with the reason in the message.</exception>
    public async Task<IReadOnlyList<string>> SubscribeAsync(string database, string? channel = null, CancellationToken cancellationToken = default)
    {
        await _subscriptionsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channels = await _connection.InvokeAsync<string[]>(HubMethods.Subscribe, database, channel, cancellationToken).ConfigureAwait(false);
            lock (_subscriptions)
            {
                _subscriptions[database] = new SortedSet<string>(channels, StringComparer.Ordinal);
            }

            return channels;
        }
        finally
        {
            _subscriptionsGate.Release();
        }
    }

    /// <summary>
    /// Subscribes to <paramref name="channel"/> of the outbox database <paramref name="database"/> (all its channels
    /// when null) and receives, before the live notifications, everything after <paramref name="since"/>: a position
    /// this client or a stored notification gave, or null to start live. From then on the subscription resumes by
    /// itself after every reconnect, from the last position delivered, and raises no <c>client-reconnected</c> resync.
    /// </summary>
    /// <returns>
    /// The channels subscribed now, the position the subscription stands at, and whether the hub could resume from
    /// <paramref name="since"/>; when it could not, a <c>history-unavailable</c> <see cref="Resync"/> was raised.
    /// </returns>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The hub refused, with the reason in the message
    /// (a database without a durable stream, a malformed position).</exception>
    public async Task<StreamSubscription> SubscribeFromAsync(string database, string? channel = null, string? since = null, CancellationToken cancellationToken = default)
    {
        await _subscriptionsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var subscription = await InvokeSubscribeFromAsync(database, channel, since, cancellationToken).ConfigureAwait(false);
            lock (_subscriptions)
            {
                _subscriptions[database] = new SortedSet<string>(subscription.Channels, StringComparer.Ordinal);
            }

            return subscription;
        }
        finally
        {
            _subscriptionsGate.Release();
        }
    }

    /// <summary>
    /// The position of the last notification delivered on <paramref name="channel"/> of an outbox database, or on any
    /// of its channels when null; store it and pass it to <see cref="SubscribeFromAsync"/> on the next start. Null
    /// before anything of that database was delivered or subscribed with <see cref="SubscribeFromAsync"/>.
    /// </summary>
    public string? PositionOf(string database, string? channel = null) => _cursors.PositionOf(database, channel);

    /// <summary>Unsubscribes from <paramref name="channel"/> of <paramref name="database"/>, or from all its channels when null.</summary>
    public async Task UnsubscribeAsync(string database, string? channel = null, CancellationToken cancellationToken = default)
    {
        await _subscriptionsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _connection.InvokeAsync(HubMethods.Unsubscribe, database, channel, cancellationToken).ConfigureAwait(false);
            _cursors.Forget(database, channel);
            lock (_subscriptions)
            {
                if (channel is null)
                {
                    _subscriptions.Remove(database);
                }
                else if (_subscriptions.TryGetValue(database, out var set) && set.Remove(channel) && set.Count == 0)
                {
                    _subscriptions.Remove(database);
                }
            }
        }
        finally
        {
            _subscriptionsGate.Release();
        }
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> on <paramref name="channel"/> of <paramref name="database"/> (a NOTIFY);
    /// needs a token with the publish claim for that database. Returns once PostgreSQL has committed it.
    /// </summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The hub refused, with the reason in the message
    /// (for example a payload of 8,000 bytes or more).</exception>
    public Task PublishAsync(string database, string channel, string payload, CancellationToken cancellationToken = default)
        => _connection.InvokeAsync(HubMethods.Publish, database, channel, payload, cancellationToken);

    /// <summary>
    /// The notifications received from now until <paramref name="cancellationToken"/> is cancelled or the client
    /// is disposed, in order. Each enumeration gets every notification; nothing is buffered for nobody.
    /// </summary>
    public async IAsyncEnumerable<HubNotification> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<HubNotification>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_readersGate)
        {
            _readers.Add(channel.Writer);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        try
        {
            while (await channel.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var notification))
                {
                    yield return notification;
                }
            }
        }
        finally
        {
            lock (_readersGate)
            {
                _readers.Remove(channel.Writer);
            }
        }
    }

    /// <summary>Stops the connection; nothing reconnects afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            await _restart.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The restart loop ends with the client.
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        _disposed.Dispose();
        _subscriptionsGate.Dispose();
    }

    private static HubConnection BuildConnection(NotificationHubClientOptions options, ILoggerFactory? loggerFactory, ILogger logger, ReceiveClock clock)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(options.Url!, http =>
            {
                if (options.AccessTokenProvider is not null)
                {
                    http.AccessTokenProvider = options.AccessTokenProvider;
                }

                if (options.SkipNegotiation)
                {
                    http.SkipNegotiation = true;
                    http.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                }
            })
            .WithAutomaticReconnect(new ForeverRetryPolicy(options.MaxReconnectDelay, logger));
        if (options.Protocol == HubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        options.ConfigureConnection?.Invoke(builder);
        // After the application's adjustments, so the protocol it may have chosen there is the one stamped.
        ReceiveStampingProtocol.Decorate(builder.Services, clock);
        return builder.Build();
    }

    private async Task<StreamSubscription> InvokeSubscribeFromAsync(string database, string? channel, string? since, CancellationToken cancellationToken)
    {
        var subscription = await _connection.InvokeAsync<StreamSubscription>(HubMethods.SubscribeFrom, database, channel, since, cancellationToken).ConfigureAwait(false);
        // The answer lists every channel of the database this connection has; only the asked ones were replayed. SignalR
        // runs notification handlers on their own loop, so the replayed ones may not have been handled yet: the channels
        // start from 'since' and the replay advances them, never from the answer's position, which would drop the replay.
        // Started live, a channel that was live already keeps its own position for the same reason.
        var asked = channel is null ? subscription.Channels : [channel];
        var from = since is not null && subscription.Recovered ? since : subscription.Position;
        _cursors.Resumed(database, asked, from, keepOwnEpoch: since is null);
        ClientLog.SubscribedFrom(_logger, database, channel, since, subscription.Position, subscription.Recovered);
        return subscription;
    }

    private void OnNotification(HubNotification notification)
    {
        if (!_cursors.TryAdvance(notification.Database, notification.Channel, notification.Position))
        {
            ClientLog.RepeatDropped(_logger, notification.Database, notification.Channel, notification.Position!);
            return;
        }

        Raise(Notification, notification, nameof(Notification));
        lock (_readersGate)
        {
            foreach (var reader in _readers)
            {
                reader.TryWrite(notification);
            }
        }
    }

    private Task OnReconnecting(Exception? error)
    {
        _lastHeardBeforeLoss = _clock.Last;
        ClientLog.Reconnecting(_logger, error);
        Raise(Disconnected, error, nameof(Disconnected));
        return Task.CompletedTask;
    }

    private async Task OnReconnectedAsync(string? connectionId)
    {
        _clock.Stamp();
        await ResubscribeAsync().ConfigureAwait(false);
        foreach (var handler in Handlers(Reconnected))
        {
            Isolated(() => handler(), nameof(Reconnected));
        }
    }

    private Task OnClosedAsync(Exception? error)
    {
        if (_disposed.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        // Closed without automatic reconnect (the server said not to, or the transport gave up at start):
        // start over ourselves, since this client promises to stay connected until disposed.
        _lastHeardBeforeLoss = _clock.Last;
        ClientLog.Reconnecting(_logger, error);
        Raise(Disconnected, error, nameof(Disconnected));
        _restart = Task.Run(async () =>
        {
            await StartAsync(_disposed.Token).ConfigureAwait(false);
            await OnReconnectedAsync(_connection.ConnectionId).ConfigureAwait(false);
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Subscribes the new connection to everything this client had: durable channels resume from their positions,
    /// the others raise one <c>client-reconnected</c> resync per database, from the last moment the old connection
    /// heard from the hub (a ping at the latest) to now. It holds the subscriptions gate throughout, so a
    /// Subscribe or Unsubscribe made meanwhile runs before or after it, never between its snapshot and its calls
    /// (which would subscribe the server to a channel the client had just left). Resyncs are raised after the gate
    /// is released, so a handler that subscribes does not wait on it.
    /// </summary>
    private async Task ResubscribeAsync()
    {
        var resyncs = new List<HubResync>();
        try
        {
            await _subscriptionsGate.WaitAsync(_disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            KeyValuePair<string, string[]>[] wanted;
            lock (_subscriptions)
            {
                wanted = _subscriptions.Select(static p => KeyValuePair.Create(p.Key, p.Value.ToArray())).ToArray();
            }

            foreach (var (database, channels) in wanted)
            {
                try
                {
                    var missedAny = false;
                    foreach (var channel in channels)
                    {
                        if (_cursors.TryGetResumePosition(database, channel, out var position))
                        {
                            // A recovered resume missed nothing; an unrecovered one gets the hub's history-unavailable resync.
                            await InvokeSubscribeFromAsync(database, channel, position, _disposed.Token).ConfigureAwait(false);
                        }
                        else
                        {
                            await _connection.InvokeAsync<string[]>(HubMethods.Subscribe, database, channel, _disposed.Token).ConfigureAwait(false);
                            missedAny = true;
                        }
                    }

                    ClientLog.Resubscribed(_logger, database, channels.Length);
                    if (missedAny)
                    {
                        // Until the hub confirmed the subscriptions: only from then on is delivery live again.
                        resyncs.Add(new HubResync(database, ResyncReasons.ClientReconnected, _lastHeardBeforeLoss, _clock.Now));
                    }
                }
                catch (Exception ex) when (!_disposed.IsCancellationRequested)
                {
                    ClientLog.ResubscribeFailed(_logger, database, ex);
                    foreach (var handler in Handlers(ResubscribeFailed))
                    {
                        Isolated(() => handler(database, ex), nameof(ResubscribeFailed));
                    }
                }
            }
        }
        finally
        {
            _subscriptionsGate.Release();
        }

        foreach (var resync in resyncs)
        {
            Raise(Resync, resync, nameof(Resync));
        }
    }

    /// <summary>Calls every handler of an event, each on its own: one that throws is logged and the others still run.</summary>
    private void Raise<T>(Action<T>? handlers, T argument, string eventName)
    {
        foreach (var handler in Handlers(handlers))
        {
            Isolated(() => handler(argument), eventName);
        }
    }

    private static IEnumerable<TDelegate> Handlers<TDelegate>(TDelegate? handlers)
        where TDelegate : Delegate
        => handlers?.GetInvocationList().Cast<TDelegate>() ?? [];

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A handler's failure is the application's; it must not stop delivery.")]
    private void Isolated(Action call, string eventName)
    {
        try
        {
            call();
        }
        catch (Exception ex)
        {
            ClientLog.HandlerFailed(_logger, eventName, ex);
        }
    }
}
