using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Subscriptions;

/// <summary>
/// What one connection is subscribed to, kept in <see cref="HubCallerContext.Items"/> for the connection's lifetime.
/// </summary>
/// <remarks>
/// SignalR runs one invocation per connection at a time by default, but a disconnect can race an invocation
/// still waiting for its LISTEN, so changes go through <see cref="Gate"/>.
/// </remarks>
public sealed class ConnectionSubscriptions
{
    private static readonly object ItemsKey = new();
    private readonly Dictionary<string, SortedSet<string>> _channelsByDatabase = new(StringComparer.Ordinal);

    /// <summary>Serializes the changes of one connection's subscriptions.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The subscriptions of the connection behind <paramref name="context"/>, created on first use.</summary>
    public static ConnectionSubscriptions For(HubCallerContext context)
    {
        lock (context.Items)
        {
            if (context.Items.TryGetValue(ItemsKey, out var existing) && existing is ConnectionSubscriptions subscriptions)
            {
                return subscriptions;
            }

            subscriptions = new ConnectionSubscriptions();
            context.Items[ItemsKey] = subscriptions;
            return subscriptions;
        }
    }

    /// <summary>How many (database, channel) subscriptions the connection holds.</summary>
    public int Count => _channelsByDatabase.Values.Sum(static channels => channels.Count);

    /// <summary>The databases the connection has at least one channel of.</summary>
    public IEnumerable<string> Databases => _channelsByDatabase.Keys;

    /// <summary>The channels of <paramref name="database"/> the connection is subscribed to, in order.</summary>
    public IReadOnlyCollection<string> ChannelsOf(string database)
        => _channelsByDatabase.TryGetValue(database, out var channels) ? channels : [];

    /// <summary>Records subscriptions to <paramref name="channels"/> of <paramref name="database"/>.</summary>
    public void Add(string database, IEnumerable<string> channels)
    {
        if (!_channelsByDatabase.TryGetValue(database, out var set))
        {
            set = new SortedSet<string>(StringComparer.Ordinal);
            _channelsByDatabase[database] = set;
        }

        set.UnionWith(channels);
    }

    /// <summary>Forgets subscriptions to <paramref name="channels"/> of <paramref name="database"/>.</summary>
    public void Remove(string database, IEnumerable<string> channels)
    {
        if (_channelsByDatabase.TryGetValue(database, out var set))
        {
            set.ExceptWith(channels);
            if (set.Count == 0)
            {
                _channelsByDatabase.Remove(database);
            }
        }
    }

    /// <summary>Forgets every subscription and returns what they were.</summary>
    public IReadOnlyList<KeyValuePair<string, string[]>> Clear()
    {
        var all = _channelsByDatabase.Select(static pair => KeyValuePair.Create(pair.Key, pair.Value.ToArray())).ToArray();
        _channelsByDatabase.Clear();
        return all;
    }
}
