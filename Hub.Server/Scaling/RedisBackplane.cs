using StackExchange.Redis;

namespace Hub.Server.Scaling;

/// <summary>
/// Owns the watch on the Redis connection of the SignalR backplane: logs outages, reports them to health checks and,
/// once Redis is back, has this instance's subscribers resynchronize.
/// </summary>
/// <remarks>
/// SignalR's Redis lifetime manager reconnects by itself (AbortOnConnectFail is off), and re-subscribes its channels;
/// what it cannot do is bring back the messages published while it was away, hence the resync. The resync sender is
/// resolved when first needed: it depends on the hub context, which depends on SignalR's Redis lifetime manager,
/// whose options depend on this class.
/// </remarks>
public sealed class RedisBackplane(IServiceProvider services, TimeProvider time, ILogger<RedisBackplane> logger)
{
    private readonly Lock _gate = new();
    private ConnectionMultiplexer? _multiplexer;
    private DateTime? _downSince;

    /// <summary>Since when the backplane has been unreachable, UTC, or null while it is connected.</summary>
    public DateTime? DownSince
    {
        get
        {
            lock (_gate)
            {
                return _downSince;
            }
        }
    }

    /// <summary>Whether the first connection attempt has been made.</summary>
    public bool Started => _multiplexer is not null;

    /// <summary>Connects to Redis for SignalR and starts watching the connection.</summary>
    public async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration, string channelPrefix, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ScaleOutLog.Connecting(logger, channelPrefix);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration, log).ConfigureAwait(false);
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        lock (_gate)
        {
            if (!multiplexer.IsConnected)
            {
                _downSince ??= Now();
            }
        }

        _multiplexer = multiplexer;
        return multiplexer;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        // Pub/sub is what carries notifications between instances; the interactive link failing too is the same outage.
        if (e.ConnectionType != ConnectionType.Subscription)
        {
            return;
        }

        lock (_gate)
        {
            _downSince ??= Now();
        }

        ScaleOutLog.BackplaneDisconnected(logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Subscription)
        {
            return;
        }

        DateTime since;
        lock (_gate)
        {
            if (_downSince is not { } down)
            {
                return;
            }

            since = down;
            _downSince = null;
        }

        var endpoint = e.EndPoint?.ToString() ?? "?";
        _ = ResyncAsync(endpoint, since, Now());
    }

    private async Task ResyncAsync(string endpoint, DateTime since, DateTime until)
    {
        // Runs off SE.Redis's event thread: sending to clients must not hold up its reconnect work.
        await Task.Yield();
        var told = await services.GetRequiredService<BackplaneResync>().SendAsync(since, until, CancellationToken.None).ConfigureAwait(false);
        ScaleOutLog.BackplaneRestored(logger, endpoint, told, since, until);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
