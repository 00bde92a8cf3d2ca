using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR.Client;
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
/// <remarks>
/// Its parts, each with one job, as in the JavaScript client: <see cref="HubConnectionFactory"/> builds the
/// connection, <see cref="HubCalls"/> calls the hub's methods, <see cref="ClientSubscriptions"/> remembers what the
/// client is subscribed to, <see cref="Resubscriber"/> subscribes a new connection to it, <see cref="StreamCursors"/>
/// keeps the positions of outbox databases, and <see cref="IsolatedHandlers"/> raises the events.
/// </remarks>
/// <example>
/// <code>
/// await using var client = new NotificationHubClient(new() { Url = new("http://localhost:5080/hubs/notifications") });
/// client.Resync += r => Console.WriteLine($"reload {r.Database}");
/// await client.StartAsync();
/// await client.SubscribeAsync("app", "hub_events");
/// await foreach (var n in client.ReadAllAsync()) Console.WriteLine(n.Payload);
/// </code>
/// </example>
public sealed class NotificationHubClient : IAsyncDisposable
{
    private readonly NotificationHubClientOptions _options;
    private readonly ILogger _logger;
    private readonly HubConnection _connection;
    private readonly HubCalls _calls;
    private readonly ClientSubscriptions _subscriptions = new();
    private readonly Resubscriber _resubscriber;
    private readonly NotificationReaders _readers = new();
    private readonly IsolatedHandlers _handlers;
    private readonly CancellationTokenSource _disposed = new();
    private readonly StreamCursors _cursors = new();
    private readonly DeliveryMarks _marks = new();
    private readonly TimeProvider _time = TimeProvider.System;
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
        _handlers = new IsolatedHandlers(_logger);
        _connection = HubConnectionFactory.Build(options, loggerFactory, _logger);
        _calls = new HubCalls(_connection, _cursors, _logger);
        _resubscriber = new Resubscriber(_subscriptions, _calls, _cursors, _marks, _time, _logger);
        _connection.On<HubNotification>(ClientMethods.Notification, OnNotification);
        _connection.On<HubResync>(ClientMethods.Resync, resync => _handlers.Raise(Resync, resync, nameof(Resync)));
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
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Subscriptions => _subscriptions.Current;

    /// <summary>
    /// Connects, retrying with backoff until the hub answers or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await ForeverRetryPolicy.StartAsync(_connection, _options.MaxReconnectDelay, _logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes to <paramref name="channel"/> of <paramref name="database"/>, or to all its channels when null.
    /// When this returns, every NOTIFY committed from now on is delivered, so load your state after it.
    /// </summary>
    /// <returns>The channels of the database this client is subscribed to now.</returns>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The hub refused, with the reason in the message.</exception>
    public async Task<IReadOnlyList<string>> SubscribeAsync(string database, string? channel = null, CancellationToken cancellationToken = default)
        => await _subscriptions.ExclusiveAsync(
            async () =>
            {
                var channels = await _calls.SubscribeAsync(database, channel, cancellationToken).ConfigureAwait(false);
                _marks.Subscribed(database, _time.GetUtcNow().UtcDateTime);
                _subscriptions.Set(database, channels);
                return channels;
            },
            cancellationToken).ConfigureAwait(false);

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
    public Task<StreamSubscription> SubscribeFromAsync(string database, string? channel = null, string? since = null, CancellationToken cancellationToken = default)
        => _subscriptions.ExclusiveAsync(
            async () =>
            {
                var subscription = await _calls.SubscribeFromAsync(database, channel, since, cancellationToken).ConfigureAwait(false);
                _marks.Subscribed(database, _time.GetUtcNow().UtcDateTime);
                _subscriptions.Set(database, subscription.Channels);
                return subscription;
            },
            cancellationToken);

    /// <summary>
    /// The position of the last notification delivered on <paramref name="channel"/> of an outbox database, or on any
    /// of its channels when null; store it and pass it to <see cref="SubscribeFromAsync"/> on the next start. Null
    /// before anything of that database was delivered or subscribed with <see cref="SubscribeFromAsync"/>.
    /// </summary>
    public string? PositionOf(string database, string? channel = null) => _cursors.PositionOf(database, channel);

    /// <summary>Unsubscribes from <paramref name="channel"/> of <paramref name="database"/>, or from all its channels when null.</summary>
    public Task UnsubscribeAsync(string database, string? channel = null, CancellationToken cancellationToken = default)
        => _subscriptions.ExclusiveAsync(
            async () =>
            {
                await _calls.UnsubscribeAsync(database, channel, cancellationToken).ConfigureAwait(false);
                _cursors.Forget(database, channel);
                _subscriptions.Remove(database, channel);
                if (!_subscriptions.Current.ContainsKey(database))
                {
                    _marks.Forget(database);
                }

                return true;
            },
            cancellationToken);

    /// <summary>
    /// Publishes <paramref name="payload"/> on <paramref name="channel"/> of <paramref name="database"/> (a NOTIFY);
    /// needs a token with the publish claim for that database. Returns once PostgreSQL has committed it.
    /// </summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The hub refused, with the reason in the message
    /// (for example a payload of 8,000 bytes or more).</exception>
    public Task PublishAsync(string database, string channel, string payload, CancellationToken cancellationToken = default)
        => _calls.PublishAsync(database, channel, payload, cancellationToken);

    /// <summary>
    /// The notifications received from now until <paramref name="cancellationToken"/> is cancelled or the client
    /// is disposed, in order. Each enumeration gets every notification; nothing is buffered for nobody.
    /// </summary>
    public async IAsyncEnumerable<HubNotification> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        await foreach (var notification in _readers.ReadAllAsync(linked.Token).ConfigureAwait(false))
        {
            yield return notification;
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
        _subscriptions.Dispose();
    }

    private void OnNotification(HubNotification notification)
    {
        if (!_cursors.TryAdvance(notification.Database, notification.Channel, notification.Position))
        {
            ClientLog.RepeatDropped(_logger, notification.Database, notification.Channel, notification.Position!);
            return;
        }

        _marks.Delivered(notification);
        _handlers.Raise(Notification, notification, nameof(Notification));
        _readers.Write(notification);
    }

    private Task OnReconnecting(Exception? error)
    {
        OnLost(error);
        return Task.CompletedTask;
    }

    private void OnLost(Exception? error)
    {
        ClientLog.Reconnecting(_logger, error);
        _handlers.Raise(Disconnected, error, nameof(Disconnected));
    }

    private async Task OnReconnectedAsync(string? connectionId)
    {
        await ResubscribeAsync().ConfigureAwait(false);
        _handlers.Raise(Reconnected, nameof(Reconnected));
    }

    private Task OnClosedAsync(Exception? error)
    {
        if (_disposed.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        // Closed without automatic reconnect (the server said not to, or the transport gave up at start):
        // start over ourselves, since this client promises to stay connected until disposed.
        OnLost(error);
        _restart = Task.Run(async () =>
        {
            await StartAsync(_disposed.Token).ConfigureAwait(false);
            await OnReconnectedAsync(_connection.ConnectionId).ConfigureAwait(false);
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Subscribes the new connection to everything this client had; each database's <c>client-reconnected</c> resync
    /// runs from the hub's receive time of the last notification of it that arrived (or its subscription, if none
    /// did) to now, and is raised after the subscriptions' gate is released, so a handler that subscribes does not
    /// wait on it.
    /// </summary>
    private async Task ResubscribeAsync()
    {
        List<HubResync> resyncs;
        try
        {
            resyncs = await _resubscriber.ResubscribeAsync(
                (database, error) => _handlers.Raise(ResubscribeFailed, database, error, nameof(ResubscribeFailed)),
                _disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }

        foreach (var resync in resyncs)
        {
            _handlers.Raise(Resync, resync, nameof(Resync));
        }
    }
}
