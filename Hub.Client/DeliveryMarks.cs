namespace Hub.Client;

/// <summary>
/// Per database, the moment up to which delivery to this client is known to be complete: where a lost connection's
/// <c>client-reconnected</c> window starts. It is the hub's receive time of the last notification of that database
/// that arrived (the hub delivers a database's notifications in the order it received them, so anything missed after
/// it was received by the hub later), or when the database's subscription was confirmed, if nothing arrived since
/// (every NOTIFY committed after that is delivered).
/// </summary>
/// <remarks>
/// Only notifications move a mark: neither a ping nor any other message proves that the notifications the hub had
/// received by then reached this connection (they may still be on their way between instances, or in a queue a
/// stopping instance drops). The client's own receive time would not do either: the hub received whatever followed
/// the last notification before that notification arrived here. A reconnect whose resubscription failed leaves the
/// mark where it was, so the next successful one still covers the whole time away.
/// </remarks>
internal sealed class DeliveryMarks
{
    private readonly Dictionary<string, DateTime> _marks = new(StringComparer.Ordinal);

    /// <summary>A notification arrived: everything of its database the hub received up to it was delivered.</summary>
    public void Delivered(HubNotification notification) => Advance(notification.Database, notification.ReceivedAt);

    /// <summary>
    /// The hub confirmed a subscription to <paramref name="database"/> at <paramref name="at"/>. Starts the mark of a
    /// database that has none; an existing mark stays (a notification of another channel may still be on its way).
    /// </summary>
    public void Subscribed(string database, DateTime at)
    {
        lock (_marks)
        {
            _marks.TryAdd(database, at);
        }
    }

    /// <summary>A resync up to <paramref name="until"/> was raised for <paramref name="database"/>: what came before is covered.</summary>
    public void Covered(string database, DateTime until) => Advance(database, until);

    /// <summary>The client no longer follows <paramref name="database"/>.</summary>
    public void Forget(string database)
    {
        lock (_marks)
        {
            _marks.Remove(database);
        }
    }

    /// <summary>Where a window of <paramref name="database"/> starts; <paramref name="fallback"/> for a database without a mark.</summary>
    public DateTime SinceFor(string database, DateTime fallback)
    {
        lock (_marks)
        {
            return _marks.TryGetValue(database, out var mark) ? mark : fallback;
        }
    }

    private void Advance(string database, DateTime at)
    {
        lock (_marks)
        {
            if (!_marks.TryGetValue(database, out var mark) || at > mark)
            {
                _marks[database] = at;
            }
        }
    }
}
