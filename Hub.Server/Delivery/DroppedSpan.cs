using Hub.Server.Contracts;

namespace Hub.Server.Delivery;

/// <summary>
/// What a delivery queue dropped over its bound since it last sent the resync for a drop: how many notifications,
/// and the window the resync must cover.
/// </summary>
/// <remarks>
/// The window starts at the last notification whose send had completed before its first drop, the last moment
/// delivery is known to have worked (a client can check that against the last notification it received), or at the
/// first dropped one when none had. It ends at the first notification kept after the drop (the queue's
/// head when the resync goes out), or at that moment when nothing is queued: every dropped notification was received
/// between the two, and a client can check both ends against what it received. A queued resync that is dropped folds
/// its own window into the span, so no window is ever lost.
/// </remarks>
internal sealed class DroppedSpan
{
    private DateTime _since;
    private DateTime _until;

    /// <summary>Whether anything was dropped since the last resync.</summary>
    public bool IsEmpty { get; private set; } = true;

    /// <summary>How many notifications the span holds.</summary>
    public int Notifications { get; private set; }

    /// <summary>When the first drop of the span happened (a <see cref="TimeProvider"/> timestamp).</summary>
    public long OpenedAt { get; private set; }

    /// <summary>Adds <paramref name="dropped"/>; <paramref name="lastSent"/> is the receive time of the last notification whose send completed.</summary>
    public void Add(Envelope dropped, DateTime? lastSent, long now)
    {
        var (since, until) = dropped switch
        {
            NotificationEnvelope notification => (notification.ReceivedAt, notification.ReceivedAt),
            ResyncEnvelope resync => (resync.Since, resync.Until),
            _ => throw new ArgumentException($"A {dropped.GetType().Name} cannot be dropped.", nameof(dropped)),
        };
        if (IsEmpty)
        {
            IsEmpty = false;
            OpenedAt = now;
            _since = lastSent is { } sent && sent < since ? sent : since;
            _until = until;
        }
        else
        {
            _since = since < _since ? since : _since;
            _until = until > _until ? until : _until;
        }

        if (dropped is NotificationEnvelope)
        {
            Notifications++;
        }
    }

    /// <summary>Forgets the span: another instance's resync covers it.</summary>
    public void Clear()
    {
        IsEmpty = true;
        Notifications = 0;
    }

    /// <summary>
    /// The resync for the span of <paramref name="database"/>, ending at <paramref name="keptAfter"/>; the span is
    /// empty again afterwards.
    /// </summary>
    public ResyncEnvelope Close(string database, DateTime keptAfter)
    {
        var resync = new ResyncEnvelope(database, ResyncReasons.DeliveryOverloaded, _since, keptAfter > _until ? keptAfter : _until);
        Clear();
        return resync;
    }
}
