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
/// it was away, because notifications sent meanwhile are gone.
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
    private DateTime _disconnectedAt;
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
        _connection = BuildConnection(options, loggerFactory, _logger);
        _connection.On<HubNotification>(ClientMethods.Notification, OnNotification);
        _connection.On<HubResync>(ClientMethods.Resync, resync => Raise(Resync, resync, nameof(Resync)));
        _connection.Reconnecting += OnReconnecting;
        _connection.Reconnected += OnReconnectedAsync;
        _connection.Closed += OnClosedAsync;
    }

    /// <summary>Raised for each notification, in the order the hub sent them.</summary>
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

    /// <summary>Unsubscribes from <paramref name="channel"/> of <paramref name="database"/>, or from all its channels when null.</summary>
    public async Task UnsubscribeAsync(string database, string? channel = null, CancellationToken cancellationToken = default)
    {
        await _subscriptionsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _connection.InvokeAsync(HubMethods.Unsubscribe, database, channel, cancellationToken).ConfigureAwait(false);
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

    private static HubConnection BuildConnection(NotificationHubClientOptions options, ILoggerFactory? loggerFactory, ILogger logger)
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
        return builder.Build();
    }

    private void OnNotification(HubNotification notification)
    {
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
        _disconnectedAt = DateTime.UtcNow;
        ClientLog.Reconnecting(_logger, error);
        Raise(Disconnected, error, nameof(Disconnected));
        return Task.CompletedTask;
    }

    private async Task OnReconnectedAsync(string? connectionId)
    {
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
        _disconnectedAt = DateTime.UtcNow;
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
    /// Subscribes the new connection to everything this client had. It holds the subscriptions gate throughout, so a
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
            var until = DateTime.UtcNow;
            KeyValuePair<string, string[]>[] wanted;
            lock (_subscriptions)
            {
                wanted = _subscriptions.Select(static p => KeyValuePair.Create(p.Key, p.Value.ToArray())).ToArray();
            }

            foreach (var (database, channels) in wanted)
            {
                try
                {
                    foreach (var channel in channels)
                    {
                        await _connection.InvokeAsync<string[]>(HubMethods.Subscribe, database, channel, _disposed.Token).ConfigureAwait(false);
                    }

                    ClientLog.Resubscribed(_logger, database, channels.Length);
                    resyncs.Add(new HubResync(database, ResyncReasons.ClientReconnected, _disconnectedAt, until));
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
