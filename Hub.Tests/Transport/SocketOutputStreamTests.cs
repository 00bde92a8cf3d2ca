using System.Net;
using System.Net.Sockets;
using Hub.Server.Transport;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit;

namespace Hub.Tests.Transport;

/// <summary>Frames written straight to a connection's socket, on a real loopback TCP connection.</summary>
public sealed class SocketOutputStreamTests
{
    [Fact]
    public async Task A_write_the_socket_cannot_take_at_once_is_copied_so_the_caller_may_reuse_its_buffer_and_arrives_whole()
    {
        using var pair = await SocketPair.ConnectAsync();
        pair.Server.SendBufferSize = 8 * 1024;
        pair.Client.ReceiveBufferSize = 8 * 1024;
        var stream = SocketOutputStream.For(pair.ContextWithSocket(), Stream.Null);
        Assert.IsType<SocketOutputStream>(stream);
        var frame = Enumerable.Range(0, 4 * 1024 * 1024).Select(static i => (byte)(i % 251)).ToArray();
        var expected = frame.ToArray();

        // The peer reads nothing yet, so the kernel's buffers fill and the rest must wait for room.
        var write = stream.WriteAsync(frame, TestContext.Current.CancellationToken);
        Assert.False(write.IsCompleted);
        Array.Clear(frame);

        var received = new byte[expected.Length];
        var read = 0;
        while (read < received.Length)
        {
            read += await pair.Client.ReceiveAsync(received.AsMemory(read), SocketFlags.None, TestContext.Current.CancellationToken);
        }

        await write.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task Writes_after_the_peer_is_gone_fail_instead_of_being_lost_quietly()
    {
        using var pair = await SocketPair.ConnectAsync();
        var stream = SocketOutputStream.For(pair.ContextWithSocket(), Stream.Null);
        pair.Client.LingerState = new LingerOption(true, 0);
        pair.Client.Close();

        // The reset reaches the server's socket after a write or two; from then on every write fails.
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                await stream.WriteAsync(new byte[1024], TestContext.Current.CancellationToken);
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        });
    }

    [Fact]
    public async Task Connections_over_tls_or_without_a_socket_keep_the_servers_own_stream()
    {
        using var pair = await SocketPair.ConnectAsync();
        var upgraded = new MemoryStream();

        var https = pair.ContextWithSocket();
        https.Request.IsHttps = true;
        var tls = pair.ContextWithSocket();
        tls.Features.Set<ITlsHandshakeFeature>(new TlsHandshake());

        Assert.Same(upgraded, SocketOutputStream.For(https, upgraded));
        Assert.Same(upgraded, SocketOutputStream.For(tls, upgraded));
        Assert.Same(upgraded, SocketOutputStream.For(new DefaultHttpContext(), upgraded));
    }

    private sealed class SocketPair : IDisposable
    {
        private SocketPair(Socket server, Socket client)
        {
            Server = server;
            Client = client;
        }

        public Socket Server { get; }

        public Socket Client { get; }

        public static async Task<SocketPair> ConnectAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var accept = listener.AcceptAsync(TestContext.Current.CancellationToken);
            await client.ConnectAsync(listener.LocalEndPoint!, TestContext.Current.CancellationToken);
            return new SocketPair(await accept, client);
        }

        public DefaultHttpContext ContextWithSocket()
        {
            var context = new DefaultHttpContext();
            context.Features.Set<IConnectionSocketFeature>(new SocketFeature(Server));
            return context;
        }

        public void Dispose()
        {
            Server.Dispose();
            Client.Dispose();
        }
    }

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket => socket;
    }

#pragma warning disable SYSLIB0058 // The interface still declares the obsolete members; Kestrel's TLS sets it.
    private sealed class TlsHandshake : ITlsHandshakeFeature
    {
        public System.Security.Authentication.SslProtocols Protocol => System.Security.Authentication.SslProtocols.Tls13;

        public System.Security.Authentication.CipherAlgorithmType CipherAlgorithm => default;

        public int CipherStrength => 0;

        public System.Security.Authentication.HashAlgorithmType HashAlgorithm => default;

        public int HashStrength => 0;

        public System.Security.Authentication.ExchangeAlgorithmType KeyExchangeAlgorithm => default;

        public int KeyExchangeStrength => 0;
    }
#pragma warning restore SYSLIB0058
}
