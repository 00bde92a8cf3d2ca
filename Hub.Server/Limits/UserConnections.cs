using System.Collections.Concurrent;

namespace Hub.Server.Limits;

/// <summary>
/// Counts the open connections of each user on this instance.
/// </summary>
public sealed class UserConnections
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one more connection of <paramref name="userId"/> unless it already has <paramref name="limit"/>.</summary>
    public bool TryAdd(string userId, int limit)
    {
        while (true)
        {
            var current = _counts.GetOrAdd(userId, 0);
            if (current >= limit)
            {
                return false;
            }

            if (_counts.TryUpdate(userId, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>Counts one connection of <paramref name="userId"/> less.</summary>
    public void Remove(string userId)
    {
        while (_counts.TryGetValue(userId, out var current))
        {
            if (current <= 1)
            {
                // Remove only if nobody changed it meanwhile, so a concurrent TryAdd is never lost.
                if (_counts.TryRemove(KeyValuePair.Create(userId, current)))
                {
                    return;
                }
            }
            else if (_counts.TryUpdate(userId, current - 1, current))
            {
                return;
            }
        }
    }

    /// <summary>The connections of <paramref name="userId"/> open now.</summary>
    public int Of(string userId) => _counts.GetValueOrDefault(userId);
}
