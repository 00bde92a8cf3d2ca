using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Claims;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Hub.Server.Transport;

/// <summary>
/// One connection of the hub's WebSocket transport, as SignalR's <c>HubConnectionHandler</c> sees it: the features
/// <c>HubConnectionContext</c> relies on (user, HTTP context, transfer format, heartbeat, lifetime), input read from
/// the WebSocket as SignalR asks for it (<see cref="WebSocketInput"/>), output written by <see cref="WebSocketOutput"/>
/// and every frame of the socket written by the connection's <see cref="ConnectionWriter"/>.
/// </summary>
public sealed class WebSocketHubConnection : ConnectionContext,
    IConnectionIdFeature,
    IConnectionItemsFeature,
    IConnectionTransportFeature,
    IConnectionUserFeature,
    IConnectionLifetimeFeature,
    IConnectionHeartbeatFeature,
    ITransferFormatFeature,
    IHttpContextFeature
{
    // How long the hub waits for the client's answer to its close frame before it drops the socket.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly WebSocketInput _input;
    private readonly CancellationTokenSource _closed = new();
    private readonly DateTimeOffset _authenticationExpiration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private (Action<object> Callback, object State)[] _heartbeats = [];
    private HttpContext? _httpContext;
    private IDictionary<object, object?>? _items;
    private int _aborted;

    internal WebSocketHubConnection(
        string connectionId, HttpContext httpContext, Stream upgraded, SlowConsumerPolicy policy, SlowConsumerMonitor monitor, TimeProvider time, DateTimeOffset authenticationExpiration, ILogger logger)
    {
        _logger = logger;
        ConnectionId = connectionId;
        _httpContext = httpContext;
        _time = time;
        _authenticationExpiration = authenticationExpiration;
        User = httpContext.User;
        Writer = new ConnectionWriter(this, upgraded, policy, monitor, time);
        _socket = WebSocket.CreateFromStream(new WriterStream(upgraded, Writer), new WebSocketCreationOptions
        {
            IsServer = true,
            // SignalR pings at the hub protocol level; no WebSocket keep-alive timer per connection.
            KeepAliveInterval = TimeSpan.Zero,
        });
        _input = new WebSocketInput(_socket, _closed);
        Transport = new DuplexPipe(_input, new WebSocketOutput(_socket, this));
        Features = new WebSocketConnectionFeatures(this);
        ConnectionClosed = _closed.Token;
    }

    /// <inheritdoc cref="ConnectionContext.ConnectionId" />
    public override string ConnectionId { get; set; }

    /// <inheritdoc />
    public override IFeatureCollection Features { get; }

    /// <inheritdoc cref="ConnectionContext.Items" />
    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    /// <inheritdoc cref="ConnectionContext.Transport" />
    public override IDuplexPipe Transport { get; set; }

    /// <inheritdoc cref="ConnectionContext.ConnectionClosed" />
    public override CancellationToken ConnectionClosed { get; set; }

    /// <inheritdoc />
    public ClaimsPrincipal? User { get; set; }

    /// <inheritdoc />
    public TransferFormat SupportedFormats { get; set; } = TransferFormat.Text | TransferFormat.Binary;

    /// <inheritdoc />
    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    /// <inheritdoc />
    public HttpContext? HttpContext
    {
        get => _httpContext;
        set => _httpContext = value;
    }

    /// <summary>The one writer of this connection's socket.</summary>
    public ConnectionWriter Writer { get; }

    /// <inheritdoc />
    public void OnHeartbeat(Action<object> action, object state)
    {
        // Copy on write without a lock per connection: SignalR registers once, the heartbeat reads without locking.
        while (true)
        {
            var current = Volatile.Read(ref _heartbeats);
            if (Interlocked.CompareExchange(ref _heartbeats, [.. current, (action, state)], current) == current)
            {
                return;
            }
        }
    }

    /// <inheritdoc cref="ConnectionContext.Abort(ConnectionAbortedException)" />
    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        Writer.Close();
        // Dropping the socket ends the pending read, which ends the hub's side of the connection.
        _httpContext?.Abort();
        _ = _closed.CancelAsync();
    }

    /// <summary>
    /// Tells the client the server is stopping: SignalR's close message allowing a reconnect, written after what waits
    /// for the connection, so the client closes and reconnects (elsewhere, behind a balancer) instead of seeing the
    /// connection drop. A connection still in its handshake has no protocol to say it in and is aborted.
    /// </summary>
    internal void CloseForShutdown(ref BroadcastFrames closeMessage)
    {
        if (Writer.Protocol is { } protocol)
        {
            Writer.Send(closeMessage.For(protocol));
        }
        else
        {
            Abort(new ConnectionAbortedException("The server is shutting down."));
        }
    }

    /// <summary>Runs the connection: <paramref name="application"/> (SignalR's handler) until either side ends it.</summary>
    internal async Task RunAsync(ConnectionDelegate application)
    {
        try
        {
            // SignalR reads the input until the client closes or the socket fails, or ends the connection itself.
            await application(this).ConfigureAwait(false);
            await CloseOutputAsync().ConfigureAwait(false);
            // The client answers the close frame; one that does not is dropped after the timeout.
            await ReadToEndAsync().WaitAsync(CloseTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort(new ConnectionAbortedException("The client did not answer the close frame."));
        }
        finally
        {
            // From here on an abort (a late heartbeat tick, the host stopping) has nothing left to do.
            Interlocked.Exchange(ref _aborted, 1);
            Writer.Close();
            await _closed.CancelAsync().ConfigureAwait(false);
            _input.Complete();
            Transport.Output.Complete();
            _socket.Dispose();
            _httpContext = null;
            // _closed is not disposed: an abort racing with the end may still cancel it, and a source without
            // timers or links holds nothing that needs disposing.
        }
    }

    /// <summary>Ticked once a second by <see cref="ConnectionHeartbeat"/>.</summary>
    internal void TickHeartbeat()
    {
        if (Volatile.Read(ref _aborted) != 0)
        {
            return;
        }

        foreach (var (callback, state) in _heartbeats)
        {
            callback(state);
        }

        if (_time.GetUtcNow() >= _authenticationExpiration)
        {
            // As SignalR's CloseOnAuthenticationExpiration does: the client reconnects with a fresh token.
            TransportLog.AuthenticationExpired(_logger, ConnectionId);
            Abort(new ConnectionAbortedException("The connection's authentication expired."));
            return;
        }

        Writer.CheckProgress();
    }

    /// <summary>Reads and discards what the client still sends until it closes (or the socket fails).</summary>
    private async Task ReadToEndAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync().ConfigureAwait(false);
            _input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private async Task CloseOutputAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, statusDescription: null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        await Writer.DrainedAsync().WaitAsync(CloseTimeout, _time).ConfigureAwait(false);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    private sealed class ConnectionItems : Dictionary<object, object?>;
}
