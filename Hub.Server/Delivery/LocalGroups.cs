using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Delivery;

/// <summary>
/// The group membership of this instance's WebSocket connections, kept for the broadcast fast path: the fan-out
/// reads a group's members as an array, without a lock or an allocation, and writes each one its shared frame.
/// </summary>
/// <remarks>
/// <see cref="LocalGroupsHubLifetimeManager{THub}"/> keeps it (and, scaled out, the Redis lifetime manager of the
/// scale-out, for the connections of this instance): a connection that has a <see cref="ConnectionWriter"/>
/// joins and leaves its groups here instead of in SignalR's, and leaves them all when it disconnects, so membership
/// follows <c>Subscribe</c>, <c>Unsubscribe</c> and disconnects exactly as SignalR's groups would.
/// </remarks>
public sealed class LocalGroups
{
    private readonly ConcurrentDictionary<string, Members> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);

    /// <summary>The connections in <paramref name="group"/> now (empty when none).</summary>
    internal ConnectionWriter[] MembersOf(string group)
        => _groups.TryGetValue(group, out var members) ? members.Current : [];

    /// <summary>
    /// Starts tracking the groups of <paramref name="connection"/> if it runs on the hub's WebSocket transport (it has
    /// a <see cref="ConnectionWriter"/>); its handshake is done, so its protocol decides which broadcast frame it gets.
    /// </summary>
    internal void Track(HubConnectionContext connection)
    {
        if (connection.Features.Get<ConnectionWriter>() is { } writer)
        {
            writer.Protocol = connection.Protocol;
            _connections[writer.ConnectionId] = new Connection(writer);
        }
    }

    /// <summary>Removes the connection from every group it joined; later joins of it are ignored.</summary>
    internal void Remove(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var connection))
        {
            return;
        }

        string[] joined;
        lock (connection)
        {
            connection.Removed = true;
            joined = [.. connection.Groups];
            connection.Groups.Clear();
        }

        foreach (var group in joined)
        {
            if (_groups.TryGetValue(group, out var members))
            {
                members.Remove(connection.Writer);
            }
        }
    }

    /// <summary>Adds the connection to <paramref name="group"/>; false when it is not one of the tracked connections.</summary>
    internal bool TryJoin(string connectionId, string group)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        lock (connection)
        {
            // Membership changes of one connection are serialized by its lock, so the group and the connection agree.
            if (!connection.Removed && connection.Groups.Add(group))
            {
                _groups.GetOrAdd(group, static _ => new Members()).Add(connection.Writer);
            }
        }

        return true;
    }

    /// <summary>Removes the connection from <paramref name="group"/>; false when it is not one of the tracked connections.</summary>
    internal bool TryLeave(string connectionId, string group)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        lock (connection)
        {
            if (connection.Groups.Remove(group) && _groups.TryGetValue(group, out var members))
            {
                members.Remove(connection.Writer);
            }
        }

        return true;
    }

    private sealed class Connection(ConnectionWriter writer)
    {
        public ConnectionWriter Writer { get; } = writer;

        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

        public bool Removed { get; set; }
    }

    /// <summary>A group's members, copied on write: the fan-out reads far more often than connections join or leave.</summary>
    private sealed class Members
    {
        private readonly Lock _gate = new();
        private volatile ConnectionWriter[] _current = [];

        public ConnectionWriter[] Current => _current;

        public void Add(ConnectionWriter writer)
        {
            lock (_gate)
            {
                _current = [.. _current, writer];
            }
        }

        public void Remove(ConnectionWriter writer)
        {
            lock (_gate)
            {
                var index = Array.IndexOf(_current, writer);
                if (index >= 0)
                {
                    _current = [.. _current.AsSpan(0, index), .. _current.AsSpan(index + 1)];
                }
            }
        }
    }
}
