using System.Net.Sockets;
using Hub.Server.Delivery;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Tests.Delivery;

/// <summary>
/// A replay's <see cref="DeliveryHold.WaitForRoomAsync"/> on a <see cref="ConnectionWriter"/> over a real TCP socket
/// whose client reads only when the test lets it: the writer wakes the waiter as its queue drains or it closes.
/// </summary>
public sealed class ConnectionWriterRoomTests
{
    private const int FrameCount = 64;
    private const int PayloadLength = 16 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    // Over the bound, so the hub's half-bound room is gone, but no slow-consumer rule trips during the test.
    private static readonly SlowConsumerPolicy Policy = new(64 * 1024, 64 * 1024 * 1024, TimeSpan.FromMinutes(10));

    [Fact]
    public async Task A_wait_for_room_ends_when_the_client_has_read_the_backlog_and_when_the_writer_closes()
    {
        using var pair = await LoopbackTcpPair.OpenAsync(clientReceiveBufferSize: 4096);
        var client = pair.Client;
        pair.Server.SendBufferSize = 4096;
        await using var socket = pair.Server.GetStream();
        var disconnected = new List<string>();
        var writer = new ConnectionWriter("room", socket, Policy, new SlowConsumerMonitor(NullLogger<SlowConsumerMonitor>.Instance), TimeProvider.System, (_, reason) => disconnected.Add(reason));
        var frame = WebSocketFrames.DataFrame(new byte[PayloadLength], TransferFormat.Binary);

        // A replay: its frames pass the hold that keeps the live ones back.
        var hold = writer.Hold();
        SendBacklog(writer, hold, frame);
        var waiting = hold.WaitForRoomAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(waiting.IsCompleted, "a megabyte waits for a client that reads nothing, yet the writer reported room");

        await ReadAsync(client.GetStream(), FrameCount * frame.Length);
        await waiting.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.True(writer.HasRoom);

        SendBacklog(writer, hold, frame);
        var closing = hold.WaitForRoomAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(closing.IsCompleted, "the second backlog left room");
        writer.Close();
        await closing.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Empty(disconnected);
    }

    private static void SendBacklog(ConnectionWriter writer, DeliveryHold hold, OutgoingFrame frame)
    {
        using var passing = hold.Pass();
        for (var i = 0; i < FrameCount; i++)
        {
            writer.Send(frame);
        }

        Assert.False(writer.HasRoom);
    }

    private static async Task ReadAsync(NetworkStream stream, int bytes)
    {
        var buffer = new byte[64 * 1024];
        for (var read = 0; read < bytes;)
        {
            var n = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
            Assert.NotEqual(0, n);
            read += n;
        }
    }
}
