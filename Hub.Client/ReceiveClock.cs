namespace Hub.Client;

/// <summary>
/// When the client last heard from the hub: any message (notification, resync, invocation result, or the hub's
/// keep-alive ping) or a completed handshake. A lost connection's <c>client-reconnected</c> window starts there,
/// the last moment delivery is known to have worked, not when the loss was noticed (up to the server timeout later).
/// </summary>
internal sealed class ReceiveClock(TimeProvider time)
{
    private long _lastTicks = time.GetUtcNow().UtcTicks;

    /// <summary>The moment of the last message, UTC.</summary>
    public DateTime Last => new(Interlocked.Read(ref _lastTicks), DateTimeKind.Utc);

    /// <summary>Records that something arrived now. Called for every message but the hub's close, so it only writes a long.</summary>
    public void Stamp() => Interlocked.Exchange(ref _lastTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Now, on the same clock.</summary>
    public DateTime Now => time.GetUtcNow().UtcDateTime;
}
