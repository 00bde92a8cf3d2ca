using System.Collections.Concurrent;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Streams;

/// <summary>The connections of this instance that called <c>SubscribeFrom</c>, kept until they disconnect.</summary>
public sealed class StreamConnections : IHubFilter
{
    private readonly ConcurrentDictionary<string, StreamConnection> _connections = new(StringComparer.Ordinal);

    /// <summary>The connections that resumed a stream and are open now.</summary>
    internal ICollection<StreamConnection> Current => _connections.Values;

    /// <summary>The state of <paramref name="context"/>'s connection, created on first use.</summary>
    internal StreamConnection For(HubCallerContext context)
        => _connections.GetOrAdd(context.ConnectionId, static (_, context) => Create(context), context);

    /// <inheritdoc />
    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        _connections.TryRemove(context.Context.ConnectionId, out _);
        return next(context, exception);
    }

    private static StreamConnection Create(HubCallerContext context)
    {
        var holds = context.Features.Get<IDeliveryHoldFeature>()
            ?? throw new InvalidOperationException("The hub's connections have no delivery hold; register AddBoundedDelivery.");

        // Connections on the hub's own WebSocket transport get live notifications from this instance's fan-out (the
        // envelope channel's, when scaled out); those on SignalR's transports through SignalR's backplane.
        return new StreamConnection(context, holds, live: context.Features.Get<ConnectionWriter>() is not null);
    }
}
