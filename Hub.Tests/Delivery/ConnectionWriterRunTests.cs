using System.Text;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Tests.Delivery;

/// <summary>
/// How the hub's own connection writer treats a delivery queue's run: frames of a run wait and reach the socket in one
/// write when the run is released, even though the socket could take each at once; without a run each goes straight
/// out. The socket is a stream that records every write it is given.
/// </summary>
public sealed class ConnectionWriterRunTests
{
    private readonly RecordingStream _socket = new();
    private readonly ConnectionWriter _writer;

    public ConnectionWriterRunTests()
    {
        var policy = new SlowConsumerPolicy(1024 * 1024, 16 * 1024 * 1024, TimeSpan.FromSeconds(5));
        _writer = new ConnectionWriter(
            "connection-1", _socket, policy, new SlowConsumerMonitor(NullLogger<SlowConsumerMonitor>.Instance), TimeProvider.System, (_, _) => { });
    }

    [Fact]
    public void Without_a_run_each_frame_is_written_at_once()
    {
        _writer.Send(Frame("a"));
        _writer.Send(Frame("b"));

        Assert.Equal(["a", "b"], _socket.Writes);
    }

    [Fact]
    public void Frames_of_a_run_reach_the_socket_in_one_write_when_the_run_is_released()
    {
        var run = new DeferredFlushes();
        using (run.Enter())
        {
            _writer.Send(Frame("a"));
            _writer.Send(Frame("b"));
            _writer.Send(Frame("c"));
        }

        Assert.Empty(_socket.Writes);
        Assert.Equal(3, _writer.WaitingBytes / Frame("a").Length);

        run.Release();

        Assert.Equal(["abc"], _socket.Writes);
        Assert.Equal(0, _writer.WaitingBytes);
    }

    [Fact]
    public async Task The_connections_own_frame_written_during_a_run_goes_out_behind_the_runs_frames()
    {
        var run = new DeferredFlushes();
        using (run.Enter())
        {
            _writer.Send(Frame("a"));
        }

        // SignalR's own message (a completion, a ping) while the run holds "a": it must not overtake it.
        await _writer.WriteAsync(Frame("b").Bytes, TestContext.Current.CancellationToken);
        Assert.Empty(_socket.Writes);

        run.Release();

        Assert.Equal(["ab"], _socket.Writes);
        _writer.Send(Frame("c"));
        Assert.Equal(["ab", "c"], _socket.Writes);
    }

    [Fact]
    public async Task Frames_the_connection_writes_itself_inside_a_run_join_it()
    {
        // A replay sends its rows through SignalR inside a run: they reach the socket together.
        var run = new DeferredFlushes();
        using (run.Enter())
        {
            await _writer.WriteAsync(Frame("a").Bytes, TestContext.Current.CancellationToken);
            await _writer.WriteAsync(Frame("b").Bytes, TestContext.Current.CancellationToken);
        }

        Assert.Empty(_socket.Writes);
        run.Release();

        Assert.Equal(["ab"], _socket.Writes);
    }

    [Fact]
    public void A_closed_writer_drops_what_its_run_held()
    {
        var run = new DeferredFlushes();
        using (run.Enter())
        {
            _writer.Send(Frame("a"));
        }

        _writer.Close();
        run.Release();

        Assert.Empty(_socket.Writes);
    }

    private static OutgoingFrame Frame(string text)
        => WebSocketFrames.DataFrame(Encoding.UTF8.GetBytes(text), TransferFormat.Text);

    /// <summary>A socket that completes every write at once and keeps the payloads of the frames each write carried.</summary>
    private sealed class RecordingStream : Stream
    {
        public List<string> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(Payloads(buffer.AsSpan(offset, count)));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(Payloads(buffer.Span));
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        // The frames are small and unmasked: a two-byte header, then the payload.
        private static string Payloads(ReadOnlySpan<byte> frames)
        {
            var text = new StringBuilder();
            while (frames.Length > 0)
            {
                var length = frames[1] & 0x7F;
                text.Append(Encoding.UTF8.GetString(frames.Slice(2, length)));
                frames = frames[(2 + length)..];
            }

            return text.ToString();
        }
    }
}
