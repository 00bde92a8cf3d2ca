namespace Hub.Client;

/// <summary>
/// The databases and channels a client is subscribed to, which it subscribes to again after every reconnect, and the
/// gate that runs subscribing, unsubscribing and resubscribing one at a time, so that what is remembered here matches
/// what the hub has.
/// </summary>
internal sealed class ClientSubscriptions : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SortedSet<string>> _channels = new(StringComparer.Ordinal);

    /// <summary>A copy of every database's channels.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Current
    {
        get
        {
            lock (_channels)
            {
                return _channels.ToDictionary(static p => p.Key, static p => (IReadOnlyCollection<string>)p.Value.ToArray(), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> once no other subscription change runs. A change made meanwhile runs before or after
    /// it, never in between (which could, for example, subscribe the hub to a channel the client had just left).
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The hub answered a subscribe: <paramref name="channels"/> are the database's channels now.</summary>
    public void Set(string database, IEnumerable<string> channels)
    {
        lock (_channels)
        {
            _channels[database] = new SortedSet<string>(channels, StringComparer.Ordinal);
        }
    }

    /// <summary>The client unsubscribed from <paramref name="channel"/> of <paramref name="database"/> (every channel when null).</summary>
    public void Remove(string database, string? channel)
    {
        lock (_channels)
        {
            if (channel is null)
            {
                _channels.Remove(database);
            }
            else if (_channels.TryGetValue(database, out var set) && set.Remove(channel) && set.Count == 0)
            {
                _channels.Remove(database);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
