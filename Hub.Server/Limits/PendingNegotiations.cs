using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Counts the negotiations that have not connected yet, per user, per remote address and in all, and admits a new
/// one only while all three are under their limits.
/// </summary>
/// <remarks>
/// A negotiation makes SignalR keep a connection object until the client connects or a timeout; a client that
/// negotiates without ever connecting would otherwise grow the hub's memory as fast as it can send requests. The
/// bookkeeping is bounded too: a negotiation counts until its connection arrives or <see cref="LimitOptions.NegotiationTimeout"/>
/// passes, a key is forgotten when its count drops to 0, and there are never more than
/// <see cref="LimitOptions.MaxPendingNegotiations"/> negotiations (so at most twice as many keys), however many
/// addresses a flood comes from. All negotiations time out after the same delay, so the oldest is always first to expire.
/// </remarks>
public sealed class PendingNegotiations(IOptions<LimitOptions> options, TimeProvider time)
{
    private readonly LimitOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingNegotiation> _byConnection = new(StringComparer.Ordinal);
    private readonly LinkedList<PendingNegotiation> _byAge = new();

    /// <summary>Negotiations that count now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                ExpireLocked();
                return _byAge.Count;
            }
        }
    }

    /// <summary>Users and addresses with a negotiation that counts now: what the bookkeeping holds besides the negotiations.</summary>
    public int Keys
    {
        get
        {
            lock (_lock)
            {
                ExpireLocked();
                return _counts.Count;
            }
        }
    }

    /// <summary>
    /// Admits a negotiation of <paramref name="user"/> (null when anonymous) from <paramref name="address"/>, or says
    /// which limit refuses it.
    /// </summary>
    public (PendingNegotiation? Admitted, NegotiationLimit Refused) TryAdmit(string? user, string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var userKey = user is null ? null : "user:" + user;
        var addressKey = "address:" + address;
        lock (_lock)
        {
            ExpireLocked();
            if (_byAge.Count >= _options.MaxPendingNegotiations)
            {
                return (null, NegotiationLimit.Hub);
            }

            if (userKey is not null && _counts.GetValueOrDefault(userKey) >= _options.PendingNegotiationsPerUser)
            {
                return (null, NegotiationLimit.User);
            }

            if (_counts.GetValueOrDefault(addressKey) >= _options.PendingNegotiationsPerAddress)
            {
                return (null, NegotiationLimit.Address);
            }

            var expiresAt = time.GetTimestamp() + (long)(_options.NegotiationTimeout.TotalSeconds * time.TimestampFrequency);
            var pending = new PendingNegotiation(userKey, addressKey, expiresAt);
            pending.Node = _byAge.AddLast(pending);
            Increment(userKey);
            Increment(addressKey);
            return (pending, NegotiationLimit.None);
        }
    }

    /// <summary>
    /// Records the connection ids <paramref name="pending"/> handed out, so that the connection arriving under one of
    /// them ends it (<see cref="Connected"/>); without any, the negotiation produced no connection and ends now.
    /// </summary>
    public void Negotiated(PendingNegotiation pending, IReadOnlyCollection<string> connectionIds)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(connectionIds);
        lock (_lock)
        {
            if (pending.Node is null)
            {
                // Timed out while the negotiation ran.
                return;
            }

            if (connectionIds.Count == 0)
            {
                RemoveLocked(pending);
                return;
            }

            pending.ConnectionIds = [.. connectionIds];
            foreach (var id in pending.ConnectionIds)
            {
                _byConnection[id] = pending;
            }
        }
    }

    /// <summary>Ends the negotiation that handed out <paramref name="connectionId"/>, if one still counts.</summary>
    /// <returns>Whether one did.</returns>
    public bool Connected(string connectionId)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        lock (_lock)
        {
            if (!_byConnection.TryGetValue(connectionId, out var pending))
            {
                return false;
            }

            RemoveLocked(pending);
            return true;
        }
    }

    private void ExpireLocked()
    {
        var now = time.GetTimestamp();
        while (_byAge.First is { } oldest && oldest.Value.ExpiresAt <= now)
        {
            RemoveLocked(oldest.Value);
        }
    }

    private void RemoveLocked(PendingNegotiation pending)
    {
        if (pending.Node is not { } node)
        {
            return;
        }

        _byAge.Remove(node);
        pending.Node = null;
        foreach (var id in pending.ConnectionIds)
        {
            _byConnection.Remove(id);
        }

        Decrement(pending.UserKey);
        Decrement(pending.AddressKey);
    }

    private void Increment(string? key)
    {
        if (key is not null)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }
    }

    private void Decrement(string? key)
    {
        if (key is null || !_counts.TryGetValue(key, out var count))
        {
            return;
        }

        if (count <= 1)
        {
            _counts.Remove(key);
        }
        else
        {
            _counts[key] = count - 1;
        }
    }
}
