using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Hub.Server.Transport;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Transport;

/// <summary>
/// <see cref="WebSocketInput"/> as SignalR uses it, over a real WebSocket pair on a loopback TCP connection: partial
/// messages, a cancelled read that leaves the socket open, and the client's close.
/// </summary>
public sealed class WebSocketInputTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_read_that_examined_everything_waits_for_more_and_then_sees_all_that_was_not_consumed()
    {
        await using var pair = await SocketPair.OpenAsync();
        var input = new WebSocketInput(pair.Server, new CancellationTokenSource());

        await pair.SendAsync("{\"prot");
        var first = await input.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("{\"prot", Text(first));
        input.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var second = input.ReadAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(second.IsCompleted, "a read after examining everything returned without new data");
        await pair.SendAsync("ocol\"}");
        var whole = await second.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("{\"protocol\"}", Text(whole));
        input.AdvanceTo(whole.Buffer.GetPosition(2), whole.Buffer.End);

        await pair.SendAsync("!");
        var rest = await input.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("protocol\"}!", Text(rest));
        input.AdvanceTo(rest.Buffer.End);
        input.Complete();
    }

    [Fact]
    public async Task A_cancelled_read_leaves_the_socket_open_and_the_next_read_gets_what_arrived()
    {
        await using var pair = await SocketPair.OpenAsync();
        var input = new WebSocketInput(pair.Server, new CancellationTokenSource());

        var pending = input.ReadAsync(TestContext.Current.CancellationToken).AsTask();
        input.CancelPendingRead();
        var cancelled = await pending.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.True(cancelled.IsCanceled);
        Assert.False(cancelled.IsCompleted);
        input.AdvanceTo(cancelled.Buffer.End);

        await pair.SendAsync("after");
        var next = await input.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.False(next.IsCanceled);
        Assert.Equal("after", Text(next));
        Assert.Equal(WebSocketState.Open, pair.Server.State);

        // A cancel with no read pending cancels the next read.
        input.AdvanceTo(next.Buffer.End);
        input.CancelPendingRead();
        Assert.True((await input.ReadAsync(TestContext.Current.CancellationToken)).IsCanceled);
        input.Complete();
    }

    [Fact]
    public async Task The_clients_close_completes_the_input_and_cancels_connection_closed()
    {
        await using var pair = await SocketPair.OpenAsync();
        using var closed = new CancellationTokenSource();
        var input = new WebSocketInput(pair.Server, closed);

        await pair.SendAsync("last");
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        var result = await input.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("last", Text(result));
        input.AdvanceTo(result.Buffer.End);
        var end = await input.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.True(end.IsCompleted);
        Assert.True(end.Buffer.IsEmpty);
        await Eventually.TrueAsync(() => closed.IsCancellationRequested, Wait, "ConnectionClosed was not cancelled when the client closed");
        input.Complete();
    }

    private static string Text(ReadResult result) => Encoding.UTF8.GetString(result.Buffer.ToArray());

    /// <summary>Both ends of a WebSocket over a loopback TCP connection, the server's end as the hub creates it.</summary>
    private sealed class SocketPair : IAsyncDisposable
    {
        private readonly LoopbackTcpPair _tcp;

        private SocketPair(LoopbackTcpPair tcp)
        {
            _tcp = tcp;
            Client = WebSocket.CreateFromStream(tcp.Client.GetStream(), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
            Server = WebSocket.CreateFromStream(tcp.Server.GetStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        }

        public WebSocket Client { get; }

        public WebSocket Server { get; }

        public static async Task<SocketPair> OpenAsync() => new(await LoopbackTcpPair.OpenAsync());

        /// <summary>One text message, a fragment of what SignalR would parse.</summary>
        public Task SendAsync(string text)
            => Client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            Server.Dispose();
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
