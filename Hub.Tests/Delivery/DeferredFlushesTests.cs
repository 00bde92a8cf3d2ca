using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Hub.Server.Delivery;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Tests.Delivery;

/// <summary>
/// How a connection's writer holds the messages of a delivery queue's run and hands them to the transport together. The
/// transport is a real pipe, read the way SignalR's transport loop reads it.
/// </summary>
public sealed class DeferredFlushesTests
{
    private readonly Pipe _transport = new();
    private readonly SlowConsumerMonitor _monitor = new(NullLogger<SlowConsumerMonitor>.Instance);
    private readonly BoundedPipeWriter _writer;

    public DeferredFlushesTests()
    {
        _writer = new BoundedPipeWriter(_transport.Writer, new DefaultConnectionContext("connection-1"), _monitor, 64 * 1024);
    }

    [Fact]
    public async Task Without_a_run_each_message_reaches_the_transport_at_once()
    {
        await WriteAsync("a");
        Assert.Equal("a", ReadAvailable());

        await WriteAsync("b");
        Assert.Equal("b", ReadAvailable());
    }

    [Fact]
    public async Task Messages_of_a_run_reach_the_transport_together_when_the_run_is_released()
    {
        var run = new DeferredFlushes();
        await WriteInRunAsync(run, "a", "b", "c");

        Assert.Null(ReadAvailable());
        Assert.Equal(0, _monitor.BufferingConnections);

        run.Release();

        Assert.Equal("abc", ReadAvailable());
    }

    [Fact]
    public async Task Message_written_outside_the_run_waits_behind_the_held_ones()
    {
        var run = new DeferredFlushes();
        await WriteInRunAsync(run, "a");

        // Another sender (SignalR's keep-alive, a second database's delivery queue) writes while the run holds "a".
        await WriteAsync("b");
        Assert.Null(ReadAvailable());

        run.Release();
        Assert.Equal("ab", ReadAvailable());

        await WriteAsync("c");
        Assert.Equal("c", ReadAvailable());
    }

    [Fact]
    public async Task Releasing_a_run_again_or_with_nothing_held_changes_nothing()
    {
        var run = new DeferredFlushes();
        run.Release();
        await WriteInRunAsync(run, "a");

        run.Release();
        run.Release();

        Assert.Equal("a", ReadAvailable());
        Assert.Null(ReadAvailable());
    }

    [Fact]
    public async Task Run_to_a_full_transport_queues_within_the_bound_and_disconnects_over_it()
    {
        // Nobody reads this transport, as with a client that stopped reading.
        var transport = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var connection = new DefaultConnectionContext("connection-2");
        var aborted = new TaskCompletionSource();
        using var registration = connection.ConnectionClosed.Register(() => aborted.TrySetResult());
        var writer = new BoundedPipeWriter(transport.Writer, connection, _monitor, 16 * 1024);
        await writer.WriteAsync(new byte[2048], TestContext.Current.CancellationToken);
        Assert.Equal(1, _monitor.BufferingConnections);

        var run = new DeferredFlushes();
        using (run.Enter())
        {
            for (var i = 0; i < 20; i++)
            {
                await writer.WriteAsync(new byte[1024], TestContext.Current.CancellationToken);
            }
        }

        run.Release();

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(1, _monitor.DisconnectedConnections);
    }

    private async Task WriteInRunAsync(DeferredFlushes run, params string[] messages)
    {
        using (run.Enter())
        {
            foreach (var message in messages)
            {
                await WriteAsync(message);
            }
        }
    }

    private ValueTask<FlushResult> WriteAsync(string message)
        => _writer.WriteAsync(Encoding.UTF8.GetBytes(message), TestContext.Current.CancellationToken);

    private string? ReadAvailable()
    {
        if (!_transport.Reader.TryRead(out var result))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(result.Buffer.ToArray());
        _transport.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }
}
