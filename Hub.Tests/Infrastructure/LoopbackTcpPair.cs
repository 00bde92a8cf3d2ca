using System.Net;
using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>Both ends of one TCP connection on 127.0.0.1: a test's own client, and the server end it writes to.</summary>
public sealed class LoopbackTcpPair : IDisposable
{
    private LoopbackTcpPair(TcpClient client, TcpClient server)
    {
        Client = client;
        Server = server;
    }

    public TcpClient Client { get; }

    public TcpClient Server { get; }

    /// <summary>Connects a client to a listener on a free port and accepts it; <paramref name="clientReceiveBufferSize"/> is set before connecting.</summary>
    public static async Task<LoopbackTcpPair> OpenAsync(int? clientReceiveBufferSize = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        if (clientReceiveBufferSize is { } size)
        {
            client.ReceiveBufferSize = size;
        }

        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, TestContext.Current.CancellationToken);
        var server = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        return new LoopbackTcpPair(client, server);
    }

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
    }
}
