using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hub.Server.Scaling;

/// <summary>
/// The Redis connection of the envelope channel, apart from SignalR's backplane connection: the leader publishes on
/// it and every instance subscribes on it, and its outages are what the receiver's resyncs are about.
/// </summary>
/// <remarks>
/// Commands fail at once while the connection is down (<see cref="BacklogPolicy.FailFast"/>) instead of waiting in a
/// backlog and going out after the reconnect: an envelope published late could follow its successor's, and a leader
/// must know at once that it cannot publish.
/// </remarks>
public sealed class EnvelopeChannelConnection(IOptions<ScaleOutOptions> options, ILogger<EnvelopeChannelConnection> logger) : IAsyncDisposable
{
    private ConnectionMultiplexer? _multiplexer;

    /// <summary>Raised (on Redis's event thread) when the subscription link went down.</summary>
    public event Action? Lost;

    /// <summary>Raised (on Redis's event thread) when the subscription link is back.</summary>
    public event Action? Restored;

    /// <summary>The channel's names.</summary>
    public EnvelopeChannelNames Names { get; } = new(options.Value.ChannelPrefix);

    /// <summary>Whether the connection is up now.</summary>
    public bool IsConnected => _multiplexer?.IsConnected ?? false;

    /// <summary>The connection; only after <see cref="ConnectAsync"/>.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("The envelope channel is not connected yet.");

    /// <summary>Connects (the first attempt; it keeps trying in the background if Redis is down).</summary>
    public async Task ConnectAsync()
    {
        var configuration = RedisConfigurationValidator.TryParse(options.Value.Redis ?? string.Empty, out _)
            ?? throw new InvalidOperationException($"{ScaleOutOptions.RedisKey} is not set.");
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName = "notify-hub-envelopes";
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                ScaleOutLog.ChannelLost(logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);
                Lost?.Invoke();
            }
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                ScaleOutLog.ChannelRestored(logger, e.EndPoint?.ToString() ?? "?");
                Restored?.Invoke();
            }
        };
        _multiplexer = multiplexer;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.CloseAsync().ConfigureAwait(false);
            multiplexer.Dispose();
        }
    }
}
