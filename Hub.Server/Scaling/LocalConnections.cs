using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Scaling;

/// <summary>
/// The hub connections of this instance. With the Redis backplane a group send always goes through Redis, so when
/// Redis itself was away the instance needs its own connections to tell them so without it.
/// </summary>
public sealed class LocalConnections : IHubFilter
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new(StringComparer.Ordinal);

    /// <summary>The connections open now.</summary>
    public IReadOnlyCollection<HubCallerContext> Current => [.. _connections.Values];

    /// <inheritdoc />
    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        _connections[context.Context.ConnectionId] = context.Context;
        return next(context);
    }

    /// <inheritdoc />
    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        _connections.TryRemove(context.Context.ConnectionId, out _);
        return next(context, exception);
    }
}
