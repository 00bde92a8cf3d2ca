using System.Diagnostics.CodeAnalysis;
using Hub.Server.Contracts;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Delivery;

/// <summary>
/// The in-memory, ordered and bounded send queue of one database. The listener enqueues without doing I/O (it runs
/// inside Npgsql's read loop); one consumer sends the envelopes in the order they were enqueued, so every client sees
/// a database's notifications and resyncs in the order PostgreSQL delivered them.
/// </summary>
/// <remarks>
/// <para>
/// The queue holds at most <see cref="DeliveryOptions.MaxQueueLength"/> items and no notification older than
/// <see cref="DeliveryOptions.MaxQueueAge"/>. Past either bound the oldest plain notifications are dropped (counted in
/// <see cref="HubDiagnostics.Instruments.DeliveriesDropped"/>) and the database's subscribers get one resync for the
/// dropped span (<see cref="DroppedSpan"/>) instead of pushes minutes late. That resync waits until the queue has
/// caught up (nothing waits), or the span is <see cref="DeliveryOptions.MaxQueueAge"/> old, so that one overload
/// costs clients one reload rather than one per dropped notification.
/// </para>
/// <para>
/// Sends happen only while <see cref="Lease"/> is valid: once this instance no longer leads the database (its lease
/// ran out while it was frozen, or its listener lost the connection that held the leadership), what is queued is
/// dropped, counted as dropped, and left to the next leader's resync, which starts at what was last sent
/// (<see cref="LastSent"/>). So nothing reaches clients out of order after a handover.
/// </para>
/// <para>
/// What is queued, the bounds and the drops are <see cref="DeliveryBacklog"/>; this class runs the one consumer that
/// sends, in runs when a backlog builds up (<see cref="DeferredFlushes"/>), and reports drops and sends.
/// </para>
/// <para>
/// Outbox notifications (with a position) are never dropped: their reader waits for each batch to be sent before it
/// reads the next, which bounds them already, and their clients resume by position rather than by resync. When the
/// send of one fails, the rest up to the reader's next <see cref="SentAsync"/> are not sent, and that call answers
/// false: the reader reads them again from before the failure, in order, instead of storing its cursor past rows that
/// never went out.
/// </para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, and the name must not be confused with the transactional outbox of durable streams.")]
public sealed class DeliveryQueue : IDatabaseSink
{
    // How many envelopes at most one connection receives in a single flush when a backlog builds up: enough to
    // cut the per-message wake-ups and system calls by an order of magnitude, few enough that the first of a run
    // is not held back long while the rest are written to every connection.
    private const int MaxRunLength = 16;

    private readonly DeferredFlushes _run = new();
    private readonly DeliveryBacklog _backlog;
    private readonly IEnvelopeSender _sender;
    private readonly DeliveryTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _database;
    private readonly TimeSpan _shutdownTimeout;
    private readonly Task _consumer;

    // Set by the consumer when the send of an outbox row failed; until the next SentAsync mark, which reports it to
    // the row's reader, no other outbox row is sent. Only the consumer reads and writes it.
    private bool _positionedUnsent;

    /// <summary>Creates the queue of <paramref name="database"/> bounded by <paramref name="options"/> and starts its consumer.</summary>
    public DeliveryQueue(string database, IEnvelopeSender sender, DeliveryTelemetry telemetry, ILogger logger, DeliveryOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _sender = sender;
        _telemetry = telemetry;
        _telemetry.Opened(database);
        _logger = logger;
        _time = time;
        _shutdownTimeout = options.ShutdownTimeout;
        _backlog = new DeliveryBacklog(database, options, time);
        Lease = new ForwardingLease(time);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <inheritdoc />
    public int Pending => _backlog.Pending;

    /// <inheritdoc />
    public DateTime? LastSent => _backlog.LastSent;

    /// <inheritdoc />
    public ForwardingLease Lease { get; }

    /// <inheritdoc />
    public void Enqueue(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        Add(DeliveryItem.Of(envelope));
    }

    /// <inheritdoc />
    public Task<bool> SentAsync()
    {
        var sent = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Add(DeliveryItem.Mark(sent)))
        {
            // What was queued after the queue stopped accepting is not in it: nothing may count it as sent.
            sent.TrySetResult(false);
        }

        return sent.Task;
    }

    /// <summary>
    /// Stops accepting envelopes and sends what is queued for up to <see cref="DeliveryOptions.ShutdownTimeout"/>;
    /// what is left then is dropped and covered by one resync. Waits for the consumer no longer than that bound
    /// and as long again for a send that hangs.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _backlog.Complete();
        try
        {
            await _consumer.WaitAsync(2 * _shutdownTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A send that hangs (a backplane that does not answer) must not hold the instance up past its bound.
            DeliveryLog.ShutdownAbandoned(_logger, _database, Pending);
        }
    }

    private bool Add(DeliveryItem item)
    {
        var added = _backlog.Add(item, out var dropped);
        if (dropped > 0)
        {
            _telemetry.Dropped(_database, dropped);
        }

        return added;
    }

    private async Task ConsumeAsync()
    {
        var run = 0;
        try
        {
            while (await TakeAsync().ConfigureAwait(false) is ({ } item, var waiting))
            {
                // With envelopes waiting behind this one, a run starts: its flushes are held so that it reaches
                // each connection in one piece. It ends with the last envelope that was waiting, or at MaxRunLength.
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

    /// <summary>The next item to send and how many wait behind it; null once the queue is disposed and empty.</summary>
    private async Task<(DeliveryItem? Item, int Waiting)> TakeAsync()
    {
        while (true)
        {
            var take = _backlog.Take(Lease.IsValid);
            if (take.Dropped + take.Fenced > 0)
            {
                _telemetry.Dropped(_database, take.Dropped + take.Fenced);
            }

            if (take.Fenced > 0)
            {
                DeliveryLog.Fenced(_logger, _database, take.Fenced);
            }

            if (take.IsOverloadResync)
            {
                var resync = (ResyncEnvelope)take.Item!.Value.Envelope!;
                DeliveryLog.Overloaded(_logger, _database, take.SpanSize, resync.Since, resync.Until);
                return (take.Item, take.Waiting);
            }

            if (take.Item is not null || take.Completed)
            {
                return (take.Item, take.Waiting);
            }

            await take.Arrived.ConfigureAwait(false);
        }
    }

    private async Task SendAsync(DeliveryItem item, bool inRun)
    {
        if (item.Envelope is not { } envelope)
        {
            item.SentMark!.TrySetResult(!_positionedUnsent);
            _positionedUnsent = false;
            return;
        }

        var positioned = envelope is NotificationEnvelope { Position: not null };
        if (positioned && _positionedUnsent)
        {
            // A client that got a later row would drop the unsent one as a repeat once its reader sends it again.
            _telemetry.Dropped(_database, 1);
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
            if (envelope is NotificationEnvelope notification)
            {
                _backlog.MarkSent(notification.ReceivedAt);
            }

            _telemetry.Sent(_database, envelope);
        }
        catch (Exception ex)
        {
            // A failed group send must not stop the database's delivery; the next envelope goes out as usual.
            DeliveryLog.SendFailed(_logger, _database, ex);
            _telemetry.Sent(_database, envelope, ex);
            _positionedUnsent |= positioned;
        }
    }
}
