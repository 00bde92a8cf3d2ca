using System.Globalization;
using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Remembers the users (or, for anonymous callers, the addresses) whose connection was closed for its call rate, for
/// <see cref="LimitOptions.CallRateCooldown"/>, so that their new connections can be refused before they cost the hub a
/// handshake.
/// </summary>
/// <remarks>
/// A connection closed for its call rate has spent its burst and a hundred refusals; a client that reconnects at once
/// makes the hub pay for that again, and for the negotiation, the handshake and the token, in a loop. Refusing the
/// reconnect with 429 is the cheapest answer the hub has. The bookkeeping is bounded: a key is forgotten when its
/// cool-down ends, and at most <see cref="MaxKeys"/> are kept (the one whose cool-down ends first makes room), however
/// many addresses a flood comes from. Every cool-down lasts as long, so the oldest is always the first to end.
/// </remarks>
public sealed class CallRateCooldowns(IOptions<LimitOptions> options, TimeProvider time)
{
    /// <summary>The most keys kept at once.</summary>
    public const int MaxKeys = 10_000;

    private readonly TimeSpan _cooldown = options.Value.CallRateCooldown;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, long Until)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, long Until)> _byAge = new();
    private int _count;

    /// <summary>Keys cooling down now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                ExpireLocked(time.GetTimestamp());
                return _byKey.Count;
            }
        }
    }

    /// <summary>Whether no cool-down runs (read without a lock, so it may lag one that just ended).</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>The key a caller counts under: its user when authenticated, else its address (see <see cref="NegotiationAddress"/>).</summary>
    public static string KeyOf(string? user, string address) => user is null ? "address:" + address : "user:" + user;

    /// <summary>What a negotiation or connection refused during a cool-down is told (with 429).</summary>
    /// <param name="anonymous">Whether the caller is counted by its address.</param>
    /// <param name="retryAfterSeconds">When it may connect again.</param>
    public static string RefusalMessage(bool anonymous, long retryAfterSeconds)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"connect refused: a connection of this {(anonymous ? "address" : "user")} was closed for exceeding the call rate (Hub:Limits:RateLimitedCallsBeforeClose); it may connect again in {retryAfterSeconds} s (Hub:Limits:CallRateCooldown)");

    /// <summary>Starts (or restarts) the cool-down of <paramref name="key"/>; nothing when cool-downs are off.</summary>
    public void Start(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_cooldown <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            var now = time.GetTimestamp();
            ExpireLocked(now);
            if (_byKey.Remove(key, out var running))
            {
                _byAge.Remove(running);
            }
            else if (_byKey.Count >= MaxKeys && _byAge.First is { } oldest)
            {
                RemoveLocked(oldest);
            }

            var until = now + (long)(_cooldown.TotalSeconds * time.TimestampFrequency);
            _byKey[key] = _byAge.AddLast((key, until));
            Volatile.Write(ref _count, _byKey.Count);
        }
    }

    /// <summary>How long the cool-down of <paramref name="key"/> still runs, if it does.</summary>
    public bool TryGetRemaining(string key, out TimeSpan remaining)
    {
        ArgumentNullException.ThrowIfNull(key);
        remaining = TimeSpan.Zero;
        if (IsEmpty)
        {
            return false;
        }

        lock (_lock)
        {
            var now = time.GetTimestamp();
            ExpireLocked(now);
            if (!_byKey.TryGetValue(key, out var node))
            {
                return false;
            }

            remaining = TimeSpan.FromSeconds((node.Value.Until - now) / (double)time.TimestampFrequency);
            return true;
        }
    }

    private void ExpireLocked(long now)
    {
        while (_byAge.First is { } oldest && oldest.Value.Until <= now)
        {
            RemoveLocked(oldest);
        }

        Volatile.Write(ref _count, _byKey.Count);
    }

    private void RemoveLocked(LinkedListNode<(string Key, long Until)> node)
    {
        _byAge.Remove(node);
        _byKey.Remove(node.Value.Key);
    }
}
