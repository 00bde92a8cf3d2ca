using Hub.Server.Contracts;

namespace Hub.Server.Delivery;

/// <summary>
/// One place in a database's delivery queue: an envelope to send, or the mark of a <c>SentAsync</c> call, completed
/// once everything queued before it was sent.
/// </summary>
internal readonly struct DeliveryItem
{
    private DeliveryItem(Envelope? envelope, TaskCompletionSource<bool>? sentMark)
    {
        Envelope = envelope;
        SentMark = sentMark;
    }

    /// <summary>The envelope to send; null for a mark.</summary>
    public Envelope? Envelope { get; }

    /// <summary>The mark to complete, with whether every envelope with a position before it was sent; null for an envelope.</summary>
    public TaskCompletionSource<bool>? SentMark { get; }

    /// <summary>The notification this item carries, if it carries one.</summary>
    public NotificationEnvelope? Notification => Envelope as NotificationEnvelope;

    /// <summary>
    /// Whether a bound may drop it: plain NOTIFY only (outbox rows are bounded by their reader and resumed by position),
    /// and a queued resync, which folds into the span of the drop.
    /// </summary>
    public bool IsDroppable => Envelope is ResyncEnvelope or NotificationEnvelope { Position: null };

    public static DeliveryItem Of(Envelope envelope) => new(envelope, null);

    public static DeliveryItem Mark(TaskCompletionSource<bool> sent) => new(null, sent);
}
