using System.Net.Sockets;
using System.Text;
using Hub.Testing.Wire;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A subscriber whose socket is not read until the test says so: the hub's writes pile up in its transport,
/// as with a client that hangs, sits behind a stalled network, or reads too slowly. Its receive buffer is
/// small, so the kernel absorbs little.
/// </summary>
public sealed class PausedHubClient : IAsyncDisposable, IHubMessageSink
{
    private readonly RawHubConnection _connection;
    private readonly List<string> _payloads = [];

    private PausedHubClient(RawHubConnection connection)
    {
        _connection = connection;
        connection.Sink = this;
    }

    public IReadOnlyList<string> Payloads
    {
        get
        {
            lock (_payloads)
            {
                return [.. _payloads];
            }
        }
    }

    public static async Task<PausedHubClient> SubscribeAsync(Uri hubUrl, string database, string channel)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var connection = await RawHubConnection.ConnectAsync(hubUrl, WireProtocol.Json, new HttpMessageInvoker(handler));
        await connection.SubscribeAsync(database, channel);
        return new PausedHubClient(connection);
    }

    /// <summary>Starts reading again, recording every payload, until the hub closes the connection.</summary>
    /// <returns>Why the connection ended.</returns>
    public Task<string?> ResumeAsync(CancellationToken cancellationToken) => _connection.RunAsync(cancellationToken);

    void IHubMessageSink.OnNotification(ReadOnlySpan<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        lock (_payloads)
        {
            _payloads.Add(text);
        }
    }

    void IHubMessageSink.OnResync()
    {
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
