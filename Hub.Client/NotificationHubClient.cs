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
        _connection = BuildConnection(options, loggerFactory);
        _connection.On<HubNotification>("notification", OnNotification);
        _connection.On<HubResync>("resync", resync => Resync?.Invoke(resync));
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
                Log.StartFailed(_logger, delay, ex);
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
            var channels = await _connection.InvokeAsync<string[]>("Subscribe", database, channel, cancellationToken).ConfigureAwait(false);
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
            await _connection.InvokeAsync("Unsubscribe", database, channel, cancellationToken).ConfigureAwait(false);
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
        => _connection.InvokeAsync("Publish", database, channel, payload, cancellationToken);

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

    private static HubConnection BuildConnection(NotificationHubClientOptions options, ILoggerFactory? loggerFactory)
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
            .WithAutomaticReconnect(new ForeverRetryPolicy(options.MaxReconnectDelay));
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
        Notification?.Invoke(notification);
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
        Log.Reconnecting(_logger, error);
        Disconnected?.Invoke(error);
        return Task.CompletedTask;
    }

    private async Task OnReconnectedAsync(string? connectionId)
    {
        await ResubscribeAsync().ConfigureAwait(false);
        Reconnected?.Invoke();
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
        Log.Reconnecting(_logger, error);
        Disconnected?.Invoke(error);
        _restart = Task.Run(async () =>
        {
            await StartAsync(_disposed.Token).ConfigureAwait(false);
            await OnReconnectedAsync(_connection.ConnectionId).ConfigureAwait(false);
        });
        return Task.CompletedTask;
    }

    private async Task ResubscribeAsync()
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
                    await _connection.InvokeAsync<string[]>("Subscribe", database, channel, _disposed.Token).ConfigureAwait(false);
                }

                Log.Resubscribed(_logger, database, channels.Length);
            }
            catch (Exception ex) when (!_disposed.IsCancellationRequested)
            {
                Log.ResubscribeFailed(_logger, database, ex);
                ResubscribeFailed?.Invoke(database, ex);
                continue;
            }

            Resync?.Invoke(new HubResync(database, HubResync.ClientReconnected, _disconnectedAt, until));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Could not connect to the hub; retrying in {Delay}.")]
        public static partial void StartFailed(ILogger logger, TimeSpan delay, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Lost the hub connection; reconnecting.")]
        public static partial void Reconnecting(ILogger logger, Exception? exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Resubscribed to database '{Database}' ({Channels} channels).")]
        public static partial void Resubscribed(ILogger logger, string database, int channels);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Could not resubscribe to database '{Database}'.")]
        public static partial void ResubscribeFailed(ILogger logger, string database, Exception exception);
    }
}
