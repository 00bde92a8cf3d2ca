using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Hub.Server.Contracts;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Delivery;

/// <summary>
/// The in-memory, ordered send queue of one database. The listener enqueues without doing I/O (it runs inside Npgsql's
/// read loop); one consumer sends the envelopes in the order they were enqueued, so every client sees a
/// database's notifications and resyncs in the order PostgreSQL delivered them.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, and the name must not be confused with the transactional outbox of durable streams.")]
public sealed class DeliveryQueue : IDatabaseSink
{
    // How many envelopes at most one connection receives in a single flush when a backlog builds up: enough to
    // cut the per-message wake-ups and system calls by an order of magnitude, few enough that the first of a run
    // is not held back long while the rest are written to every connection.
    private const int MaxRunLength = 16;

    private readonly DeferredFlushes _run = new();
    // Envelopes, and the TaskCompletionSource of each SentAsync call at its place in the order.
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly IEnvelopeSender _sender;
    private readonly DeliveryTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly string _database;
    private readonly Task _consumer;
    private int _pending;

    /// <summary>Creates the queue of <paramref name="database"/> and starts its consumer.</summary>
    public DeliveryQueue(string database, IEnvelopeSender sender, DeliveryTelemetry telemetry, ILogger logger)
    {
        _database = database;
        _sender = sender;
        _telemetry = telemetry;
        _telemetry.Opened(database);
        _logger = logger;
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <inheritdoc />
    public int Pending => Volatile.Read(ref _pending);

    /// <inheritdoc />
    public void Enqueue(Envelope envelope)
    {
        // A single-reader channel cannot count its items, so the queue counts them itself.
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(envelope))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <inheritdoc />
    public Task SentAsync()
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(sent))
        {
            Interlocked.Decrement(ref _pending);
            sent.TrySetResult();
        }

        return sent.Task;
    }

    /// <summary>Stops accepting envelopes, sends what is queued and waits for the consumer to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _consumer.ConfigureAwait(false);
    }

    private async Task ConsumeAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var run = 0;
            try
            {
                while (reader.TryRead(out var item))
                {
                    // With envelopes waiting behind this one, a run starts: its flushes are held so that it reaches
                    // each connection in one piece. It ends with the last envelope that was waiting, or at MaxRunLength.
                    var waiting = Interlocked.Decrement(ref _pending);
                    var inRun = run > 0 || waiting > 0;
                    await SendAsync(item, inRun).ConfigureAwait(false);
                    if (inRun && (waiting == 0 || ++run == MaxRunLength))
                    {
                        _run.Release();
                        run = 0;
                    }
                }
            }
            finally
            {
                _run.Release();
            }
        }
    }

    private async Task SendAsync(object item, bool inRun)
    {
        if (item is not Envelope envelope)
        {
            ((TaskCompletionSource)item).TrySetResult();
            return;
        }

        try
        {
            Task send;
            using (inRun ? _run.Enter() : default)
            {
                send = _sender.SendAsync(envelope, CancellationToken.None);
            }

            await send.ConfigureAwait(false);
            _telemetry.Sent(_database, envelope);
        }
        catch (Exception ex)
        {
            // A failed group send must not stop the database's delivery; the next envelope goes out as usual.
            DeliveryLog.SendFailed(_logger, _database, ex);
            _telemetry.Sent(_database, envelope, ex);
        }
    }
}
