namespace Hub.Server.Hubs;

/// <summary>
/// Counts the hub connections of this instance.
/// </summary>
public sealed class ConnectionCounter
{
    private long _current;

    /// <summary>The connections open on this instance now.</summary>
    public long Current => Interlocked.Read(ref _current);

    /// <summary>A connection opened.</summary>
    public void Connected() => Interlocked.Increment(ref _current);

    /// <summary>A connection closed.</summary>
    public void Disconnected() => Interlocked.Decrement(ref _current);
}
