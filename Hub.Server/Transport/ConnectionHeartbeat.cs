using System.Collections.Concurrent;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hub.Server.Transport;

/// <summary>
/// One timer for every connection of the hub's WebSocket transport: once a second it ticks each connection, which
/// runs SignalR's keep-alive and client-timeout checks, closes a connection whose authentication expired and applies
/// the slow-consumer rule to a connection that stopped reading. One timer instead of one per connection. When the
/// host stops it tells every connection to reconnect (SignalR's close message allowing it, after what was queued
/// for the connection), so that the server's graceful shutdown does not wait for clients that would otherwise stay
/// connected; they reconnect elsewhere or later. A connection still open after <see cref="ShutdownCloseGrace"/> is
/// aborted.
/// </summary>
public sealed class ConnectionHeartbeat : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    // Long enough for a client to read what was queued for it and answer the close message by closing, short
    // enough to end well inside the host's shutdown timeout.
    private static readonly TimeSpan ShutdownCloseGrace = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<WebSocketHubConnection, byte> _connections = new();
    private readonly ITimer _timer;
    private readonly TimeProvider _time;
    private readonly CancellationTokenRegistration _stopping;

    // Set by the host's stopping callback, read by every request thread that accepts a connection.
    private bool _stoppingFlag;

    /// <summary>Starts the timer on <paramref name="time"/>'s clock.</summary>
    public ConnectionHeartbeat(TimeProvider time, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(lifetime);
        _time = time;
        _timer = time.CreateTimer(static state => ((ConnectionHeartbeat)state!).Tick(), this, Period, Period);
        _stopping = lifetime.ApplicationStopping.Register(static state => ((ConnectionHeartbeat)state!).CloseAll(), this);
    }

    /// <summary>True once the host began stopping: new connections are refused from then on.</summary>
    public bool IsStopping => Volatile.Read(ref _stoppingFlag);

    /// <summary>Connections ticked now.</summary>
    public int Count => _connections.Count;

    internal void Add(WebSocketHubConnection connection) => _connections.TryAdd(connection, 0);

    internal void Remove(WebSocketHubConnection connection) => _connections.TryRemove(connection, out _);

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _timer.Dispose();
    }

    private void CloseAll()
    {
        Volatile.Write(ref _stoppingFlag, true);
        var closeMessage = new BroadcastFrames(new CloseMessage(error: null, allowReconnect: true));
        foreach (var connection in _connections.Keys)
        {
            connection.CloseForShutdown(ref closeMessage);
        }

        _ = AbortRemainingAsync();
    }

    private async Task AbortRemainingAsync()
    {
        await Task.Delay(ShutdownCloseGrace, _time).ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            connection.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The server is shutting down."));
        }
    }

    private void Tick()
    {
        foreach (var connection in _connections.Keys)
        {
            try
            {
                connection.TickHeartbeat();
            }
#pragma warning disable CA1031 // One connection's failure must neither stop the others' ticks nor escape the timer (that ends the process).
            catch (Exception)
#pragma warning restore CA1031
            {
                connection.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The connection's heartbeat failed."));
            }
        }
    }
}
