using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace Hub.Tests.Transport;

/// <summary>
/// A SignalR client at the level of WebSocket messages: it shows how the hub frames what it sends (one WebSocket
/// message per hub message or not, text or binary, pings and closes), which the official clients hide.
/// </summary>
internal sealed class FrameClient : IDisposable
{
    private const byte RecordSeparator = 0x1E;

    private readonly bool _messagePack;
    private int _invocations;

    private FrameClient(ClientWebSocket socket, bool messagePack)
    {
        Socket = socket;
        _messagePack = messagePack;
    }

    public ClientWebSocket Socket { get; }

    /// <summary>Opens the socket (WebSocket pings every <paramref name="pingInterval"/> when given) and completes the hub handshake.</summary>
    public static async Task<FrameClient> ConnectAsync(Uri hubUrl, bool messagePack, TimeSpan? pingInterval = null, string? connectionToken = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = pingInterval ?? TimeSpan.Zero;
        if (pingInterval is { } interval)
        {
            // The client waits this long for each pong and aborts without one.
            socket.Options.KeepAliveTimeout = interval * 5;
        }

        var url = new UriBuilder(hubUrl) { Scheme = "ws", Query = connectionToken is null ? string.Empty : $"id={connectionToken}" }.Uri;
        await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
        var client = new FrameClient(socket, messagePack);
        var handshake = Encoding.UTF8.GetBytes($"{{\"protocol\":\"{(messagePack ? "messagepack" : "json")}\",\"version\":1}}\u001e");
        await socket.SendAsync(handshake, WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);
        var response = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(response.Bytes));
        return client;
    }

    /// <summary>Sends an invocation with string arguments.</summary>
    public Task InvokeAsync(string target, params string?[] arguments)
    {
        var id = (++_invocations).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return SendAsync(_messagePack ? MessagePackInvocation(id, target, arguments) : JsonInvocation(id, target, arguments));
    }

    /// <summary>Sends one WebSocket message as it is.</summary>
    public Task SendAsync(byte[] message)
        => Socket.SendAsync(message, _messagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);

    /// <summary>Receives one whole WebSocket message.</summary>
    public async Task<WebSocketMessage> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancel.Token);
            buffer.Advance(result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return new WebSocketMessage(result.MessageType, buffer.WrittenSpan.ToArray(), Socket.CloseStatus, Socket.CloseStatusDescription);
            }
        }
    }

    /// <summary>Receives WebSocket messages, skipping pings of the hub protocol, until one satisfies <paramref name="match"/>.</summary>
    public async Task<HubMessage> ReceiveHubMessageAsync(Func<HubMessage, bool> match, TimeSpan timeout)
    {
        while (true)
        {
            var message = await ReceiveAsync(timeout);
            var hubMessage = Parse(message);
            if (match(hubMessage))
            {
                return hubMessage;
            }
        }
    }

    /// <summary>
    /// The one hub message <paramref name="message"/> carries; fails when it carries more or less than exactly one
    /// (a record-separated JSON text or one length-prefixed MessagePack message filling the WebSocket message).
    /// </summary>
    public HubMessage Parse(WebSocketMessage message)
    {
        if (message.Type == WebSocketMessageType.Close)
        {
            return new HubMessage(-1, null, null, null, null);
        }

        if (!_messagePack)
        {
            Assert.Equal(WebSocketMessageType.Text, message.Type);
            Assert.Equal(RecordSeparator, message.Bytes[^1]);
            Assert.Equal(message.Bytes.Length - 1, Array.IndexOf(message.Bytes, RecordSeparator));
            using var json = JsonDocument.Parse(message.Bytes.AsMemory(0, message.Bytes.Length - 1));
            var root = json.RootElement;
            var type = root.GetProperty("type").GetInt32();
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            var payload = type == 1 && root.GetProperty("arguments")[0].TryGetProperty("payload", out var p) ? p.GetString() : null;
            return new HubMessage(type, Text("target"), Text("invocationId"), Text("error") ?? (root.TryGetProperty("error", out var e) ? e.ToString() : null), payload);
        }

        Assert.Equal(WebSocketMessageType.Binary, message.Type);
        var (length, prefix) = ReadLengthPrefix(message.Bytes);
        Assert.Equal(message.Bytes.Length, prefix + length);
        var reader = new MessagePackReader(message.Bytes.AsMemory(prefix, length));
        var count = reader.ReadArrayHeader();
        var kind = reader.ReadInt32();
        switch (kind)
        {
            case 1:
                reader.Skip(); // headers
                var invocationId = reader.TryReadNil() ? null : reader.ReadString();
                var target = reader.ReadString();
                reader.ReadArrayHeader();
                string? notificationPayload = null;
                if (target == "notification")
                {
                    var fields = reader.ReadMapHeader();
                    for (var i = 0; i < fields; i++)
                    {
                        if (reader.ReadString() == "payload")
                        {
                            notificationPayload = reader.ReadString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }

                return new HubMessage(kind, target, invocationId, null, notificationPayload);
            case 3:
                reader.Skip(); // headers
                var completionId = reader.ReadString();
                var resultKind = reader.ReadInt32();
                return new HubMessage(kind, null, completionId, resultKind == 1 ? reader.ReadString() : null, null);
            case 7:
                return new HubMessage(kind, null, null, reader.TryReadNil() ? null : reader.ReadString(), null);
            default:
                _ = count;
                return new HubMessage(kind, null, null, null, null);
        }
    }

    public void Dispose() => Socket.Dispose();

    private static (int Length, int Prefix) ReadLengthPrefix(byte[] bytes)
    {
        var length = 0;
        var prefix = 0;
        byte b;
        do
        {
            b = bytes[prefix];
            length |= (b & 0x7F) << (7 * prefix);
            prefix++;
        }
        while ((b & 0x80) != 0);
        return (length, prefix);
    }

    private static byte[] JsonInvocation(string id, string target, string?[] arguments)
    {
        var json = JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments });
        return Encoding.UTF8.GetBytes(json + "\u001e");
    }

    private static byte[] MessagePackInvocation(string id, string target, string?[] arguments)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        writer.WriteArrayHeader(5);
        writer.Write(1);
        writer.WriteMapHeader(0);
        writer.Write(id);
        writer.Write(target);
        writer.WriteArrayHeader(arguments.Length);
        foreach (var argument in arguments)
        {
            writer.Write(argument);
        }

        writer.Flush();
        var prefix = new List<byte>();
        var length = body.WrittenCount;
        do
        {
            var b = (byte)(length & 0x7F);
            length >>= 7;
            prefix.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        return [.. prefix, .. body.WrittenSpan];
    }
}

/// <summary>One WebSocket message as received.</summary>
internal sealed record WebSocketMessage(WebSocketMessageType Type, byte[] Bytes, WebSocketCloseStatus? CloseStatus, string? CloseDescription);

/// <summary>What a hub message says, as far as the tests need: its type, target, invocation id, error and a notification's payload.</summary>
internal sealed record HubMessage(int Type, string? Target, string? InvocationId, string? Error, string? Payload);
