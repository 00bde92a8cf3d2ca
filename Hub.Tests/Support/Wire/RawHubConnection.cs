using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace Hub.Testing.Wire;

/// <summary>
/// A lean SignalR client over one WebSocket: the handshake, invocations and the two hub protocols, no
/// negotiation and nothing else. It costs a socket and a receive buffer, so one process can hold thousands.
/// Not thread-safe: one caller drives it at a time (invoke, then <see cref="RunAsync"/>).
/// </summary>
public sealed class RawHubConnection : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1E;

    private readonly ClientWebSocket _socket;
    private readonly WireProtocol _protocol;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _nextInvocationId;

    private RawHubConnection(ClientWebSocket socket, WireProtocol protocol, int receiveBufferSize)
    {
        _socket = socket;
        _protocol = protocol;
        _buffer = new byte[receiveBufferSize];
    }

    /// <summary>Receives notifications and resyncs while <see cref="RunAsync"/> or an invocation reads.</summary>
    public IHubMessageSink? Sink { get; set; }

    /// <summary>
    /// WebSocket messages received so far. The hub may put several hub messages in one WebSocket message, so this
    /// is at most the number of notifications received, and fewer when the hub coalesced them.
    /// </summary>
    public long WebSocketMessagesReceived { get; private set; }

    /// <summary>The state of the WebSocket.</summary>
    public WebSocketState State => _socket.State;

    /// <summary>Opens the WebSocket to <paramref name="hubUrl"/> (http or ws) and completes the SignalR handshake.</summary>
    /// <param name="hubUrl">The hub's URL.</param>
    /// <param name="protocol">The hub protocol to speak.</param>
    /// <param name="invoker">The HTTP stack to open the socket with (shared by many connections), or null for the default.</param>
    /// <param name="receiveBufferSize">The initial receive buffer; it grows for larger messages.</param>
    /// <param name="cancellationToken">Cancels the connect and handshake.</param>
    public static async Task<RawHubConnection> ConnectAsync(
        Uri hubUrl, WireProtocol protocol, HttpMessageInvoker? invoker = null, int receiveBufferSize = 4096, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);
        var socket = new ClientWebSocket();
        // SignalR has its own pings; WebSocket compression stays off (the hub does not offer it either).
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var connection = new RawHubConnection(socket, protocol, receiveBufferSize);
        try
        {
            await socket.ConnectAsync(ToWebSocketUri(hubUrl), invoker, cancellationToken).ConfigureAwait(false);
            var name = protocol == WireProtocol.Json ? "json" : "messagepack";
            var handshake = Encoding.UTF8.GetBytes($"{{\"protocol\":\"{name}\",\"version\":1}}\u001e");
            await connection.SendAsync(handshake, cancellationToken).ConfigureAwait(false);
            await connection.ReadHandshakeResponseAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Invokes a hub method and reads until its completion, handing notifications that arrive meanwhile to <see cref="Sink"/>.
    /// </summary>
    /// <exception cref="HubInvocationException">The hub answered with an error.</exception>
    public async Task InvokeAsync(string target, string?[] arguments, CancellationToken cancellationToken = default)
    {
        var id = (++_nextInvocationId).ToString(CultureInfo.InvariantCulture);
        await SendAsync(_protocol == WireProtocol.Json ? JsonInvocation(id, target, arguments) : MessagePackInvocation(id, target, arguments), cancellationToken)
            .ConfigureAwait(false);
        while (true)
        {
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new WebSocketException($"The hub closed the connection before '{target}' completed.");
            }

            while (TryDispatch(out var outcome))
            {
                if (outcome.Kind == HubMessageKind.Completion && outcome.InvocationId == id)
                {
                    if (outcome.Error is not null)
                    {
                        throw new HubInvocationException(outcome.Error);
                    }

                    return;
                }

                if (outcome.Kind == HubMessageKind.Close)
                {
                    throw new WebSocketException($"The hub closed the connection: {outcome.Error}");
                }
            }
        }
    }

    /// <summary>Subscribes to a database's channel (every channel when null).</summary>
    public Task SubscribeAsync(string database, string? channel, CancellationToken cancellationToken = default)
        => InvokeAsync("Subscribe", [database, channel], cancellationToken);

    /// <summary>Reads and dispatches until the hub closes the connection or <paramref name="cancellationToken"/> fires.</summary>
    /// <returns>The close reason the hub sent, if any.</returns>
    public async Task<string?> RunAsync(CancellationToken cancellationToken)
    {
        while (await ReceiveAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryDispatch(out var outcome))
            {
                if (outcome.Kind == HubMessageKind.Close)
                {
                    return outcome.Error ?? "closed by the hub";
                }
            }
        }

        return "connection ended";
    }

    /// <summary>Aborts the socket at once, without a closing handshake.</summary>
    public void Abort() => _socket.Abort();

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Uri ToWebSocketUri(Uri url)
    {
        var builder = new UriBuilder(url);
        builder.Scheme = builder.Scheme switch
        {
            "http" => "ws",
            "https" => "wss",
            _ => builder.Scheme,
        };
        return builder.Uri;
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        => _socket.SendAsync(
            message,
            _protocol == WireProtocol.Json ? WebSocketMessageType.Text : WebSocketMessageType.Binary,
            endOfMessage: true,
            cancellationToken);

    private async Task ReadHandshakeResponseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf(RecordSeparator);
            if (end >= 0)
            {
                using var response = JsonDocument.Parse(_buffer.AsMemory(_start, end));
                _start += end + 1;
                if (response.RootElement.TryGetProperty("error", out var error))
                {
                    throw new HubInvocationException($"Handshake refused: {error.GetString()}");
                }

                return;
            }

            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new WebSocketException("The hub closed the connection during the handshake.");
            }
        }
    }

    /// <summary>Receives one WebSocket message part into the buffer; false when the socket closed.</summary>
    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            // Make room: move the unread part to the front, or grow when the unread part fills the buffer.
            var unread = _end - _start;
            var target = unread > _buffer.Length / 2 ? new byte[_buffer.Length * 2] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, unread);
            _buffer = target;
            _start = 0;
            _end = unread;
        }

        ValueWebSocketReceiveResult result;
        try
        {
            result = await _socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
            return false;
        }

        if (result.MessageType == WebSocketMessageType.Close)
        {
            return false;
        }

        _end += result.Count;
        if (result.EndOfMessage)
        {
            WebSocketMessagesReceived++;
        }

        return true;
    }

    private bool TryDispatch(out HubMessageReader.Outcome outcome)
    {
        var unread = _buffer.AsSpan(_start, _end - _start);
        if (!HubMessageReader.TryFrame(_protocol, unread, out var bodyStart, out var bodyLength, out var consumed))
        {
            outcome = default;
            return false;
        }

        outcome = HubMessageReader.Dispatch(_protocol, _buffer.AsMemory(_start + bodyStart, bodyLength), Sink);
        _start += consumed;
        return true;
    }

    private static byte[] JsonInvocation(string id, string target, string?[] arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", (int)HubMessageKind.Invocation);
            writer.WriteString("invocationId", id);
            writer.WriteString("target", target);
            writer.WriteStartArray("arguments");
            foreach (var argument in arguments)
            {
                writer.WriteStringValue(argument);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.Write([RecordSeparator]);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] MessagePackInvocation(string id, string target, string?[] arguments)
    {
        var body = new ArrayBufferWriter<byte>(128);
        var writer = new MessagePackWriter(body);
        writer.WriteArrayHeader(6);
        writer.Write((int)HubMessageKind.Invocation);
        writer.WriteMapHeader(0);
        writer.Write(id);
        writer.Write(target);
        writer.WriteArrayHeader(arguments.Length);
        foreach (var argument in arguments)
        {
            writer.Write(argument);
        }

        writer.WriteArrayHeader(0);
        writer.Flush();

        var message = new List<byte>(body.WrittenCount + 5);
        for (var length = (uint)body.WrittenCount; ; length >>= 7)
        {
            message.Add((byte)(length < 0x80 ? length : (length & 0x7F) | 0x80));
            if (length < 0x80)
            {
                break;
            }
        }

        message.AddRange(body.WrittenSpan);
        return [.. message];
    }
}
