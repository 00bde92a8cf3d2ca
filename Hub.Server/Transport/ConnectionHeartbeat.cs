using System.Collections.Concurrent;

namespace Hub.Server.Transport;

/// <summary>
/// One timer for every connection of the hub's WebSocket transport: once a second it ticks each connection, which
/// runs SignalR's keep-alive and client-timeout checks, closes a connection whose authentication expired and applies
/// the slow-consumer rule to a connection that stopped reading. One timer instead of one per connection.
/// </summary>
public sealed class ConnectionHeartbeat : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<WebSocketHubConnection, byte> _connections = new();
    private readonly ITimer _timer;

    /// <summary>Starts the timer on <paramref name="time"/>'s clock.</summary>
    public ConnectionHeartbeat(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _timer = time.CreateTimer(static state => ((ConnectionHeartbeat)state!).Tick(), this, Period, Period);
    }

    /// <summary>Connections ticked now.</summary>
    public int Count => _connections.Count;

    internal void Add(WebSocketHubConnection connection) => _connections.TryAdd(connection, 0);

    internal void Remove(WebSocketHubConnection connection) => _connections.TryRemove(connection, out _);

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.TickHeartbeat();
        }
    }
}
