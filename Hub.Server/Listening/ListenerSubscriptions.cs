namespace Hub.Server.Listening;

/// <summary>
/// The subscriptions that hold one database's listener open, counted per channel, and the subscribers waiting until
/// their channels are LISTENed on. Pure bookkeeping, no I/O and no locking: it is held by the listener's
/// <see cref="ListenerStatus"/> and used only under that one's gate.
/// </summary>
public sealed class ListenerSubscriptions
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<ActivationWaiter> _waiters = [];

    /// <summary>The channels with at least one subscription.</summary>
    public IReadOnlyCollection<string> Channels => _counts.Keys;

    /// <summary>Whether no subscription is left.</summary>
    public bool IsEmpty => _counts.Count == 0;

    /// <summary>How many (connection, channel) subscriptions there are.</summary>
    public int Count => _counts.Values.Sum();

    /// <summary>How many subscribers wait for their channels.</summary>
    public int Waiting => _waiters.Count;

    /// <summary>Counts one subscription to each of <paramref name="channels"/>.</summary>
    public void Add(IEnumerable<string> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        foreach (var channel in channels)
        {
            _counts[channel] = _counts.GetValueOrDefault(channel) + 1;
        }
    }

    /// <summary>Takes back one subscription from each of <paramref name="channels"/>; unknown channels are ignored.</summary>
    /// <returns>Whether a channel lost its last subscription, so the LISTEN set should change.</returns>
    public bool Remove(IEnumerable<string> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var changed = false;
        foreach (var channel in channels)
        {
            if (!_counts.TryGetValue(channel, out var count))
            {
                continue;
            }

            if (count <= 1)
            {
                _counts.Remove(channel);
                changed = true;
            }
            else
            {
                _counts[channel] = count - 1;
            }
        }

        return changed;
    }

    /// <summary>Registers a subscriber that waits until <paramref name="channels"/> are LISTENed on.</summary>
    public ActivationWaiter Wait(IReadOnlyCollection<string> channels)
    {
        var waiter = new ActivationWaiter(channels);
        _waiters.Add(waiter);
        return waiter;
    }

    /// <summary>Forgets a waiter that gave up (timeout or cancellation).</summary>
    public void Forget(ActivationWaiter waiter) => _waiters.Remove(waiter);

    /// <summary>Releases every waiter whose channels are all in <paramref name="listening"/>.</summary>
    public void Activate(IReadOnlySet<string> listening)
    {
        ArgumentNullException.ThrowIfNull(listening);
        Activate(waiter => listening.IsSupersetOf(waiter.Channels));
    }

    /// <summary>Releases every waiter: another instance serves them (scaled out, this one stands by).</summary>
    public void ActivateAll() => Activate(static _ => true);

    /// <summary>Fails every waiter with <paramref name="exception"/>: the listener stopped.</summary>
    public void FailAll(Exception exception)
    {
        foreach (var waiter in _waiters)
        {
            waiter.Failed(exception);
        }

        _waiters.Clear();
    }

    private void Activate(Func<ActivationWaiter, bool> active)
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (active(_waiters[i]))
            {
                _waiters[i].Activated();
                _waiters.RemoveAt(i);
            }
        }
    }
}
