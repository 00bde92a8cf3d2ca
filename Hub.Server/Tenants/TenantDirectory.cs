using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Hub.Server.Databases;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Tenants;

/// <summary>
/// Admits tenant databases by name: a name is a database only if it matches <see cref="TenantOptions.NamePattern"/>
/// and a database of that name exists, which is checked once on the maintenance database (never by connecting
/// to the name itself) and remembered for a while, found or not.
/// </summary>
/// <remarks>
/// Lookups of new names are rate-limited per user and over all clients, concurrent requests for one name share one lookup,
/// and the cache is bounded, so a client sending random names costs the hub at most
/// <see cref="TenantOptions.LookupsPerSecondPerUser"/> small queries per second and leaves the rest of
/// <see cref="TenantOptions.LookupsPerSecond"/> to the other users.
/// </remarks>
public sealed class TenantDirectory : ITenantDatabases, IAsyncDisposable
{
    /// <summary>The <c>application_name</c> of the connections that check whether a tenant database exists.</summary>
    public const string LookupApplicationName = "notify-hub tenant lookup";

    private readonly TenantOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TenantNamePattern? _pattern;
    private readonly string[] _channels;
    private readonly NpgsqlDataSource? _maintenance;
    private readonly string _server = string.Empty;
    private readonly TokenBucketRateLimiter _lookups;
    private readonly PartitionedRateLimiter<string> _userLookups;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fixedNames;

    /// <summary>Creates the directory from validated options; nothing connects before the first lookup.</summary>
    public TenantDirectory(IOptions<TenantOptions> options, IOptions<RegistryOptions> registryOptions, TimeProvider time, ILogger<TenantDirectory> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _channels = [.. _options.Channels];
        _lookups = new TokenBucketRateLimiter(PerSecond(_options.LookupsPerSecond));
        var perUser = PerSecond(_options.LookupsPerSecondPerUser);
        _userLookups = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(user, _ => perUser));
        // A tenant may not take a configured database's name in another case: group names ignore case.
        _fixedNames = new HashSet<string>(registryOptions.Value.Databases.Keys, StringComparer.OrdinalIgnoreCase);
        if (!_options.Enabled)
        {
            return;
        }

        _pattern = TenantNamePattern.Create(_options.NamePattern!, _options.PatternMatchTimeout);
        var maintenance = new NpgsqlConnectionStringBuilder(_options.ConnectionStringTemplate)
        {
            Database = _options.MaintenanceDatabase,
            Pooling = true,
            MinPoolSize = 0,
            MaxPoolSize = 2,
            Enlist = false,
            ApplicationName = LookupApplicationName,
        };
        _server = $"{maintenance.Host}:{maintenance.Port}";
        // Named so that its metrics carry no connection details (Npgsql would name it by its connection string).
        _maintenance = new NpgsqlDataSourceBuilder(maintenance.ConnectionString) { Name = LookupApplicationName }.Build();
        TenantLog.Enabled(logger, _options.NamePattern!, _server, _channels);
    }

    /// <summary>Whether <paramref name="name"/> may be a tenant database; no I/O.</summary>
    public bool Matches(string name) => _pattern is not null && !_fixedNames.Contains(name) && _pattern.Matches(name);

    /// <summary>
    /// Finds the tenant database <paramref name="name"/>: from the cache, or by one lookup within
    /// <paramref name="user"/>'s budget and the hub's.
    /// </summary>
    public async ValueTask<DatabaseLookup> FindAsync(string name, string user, CancellationToken cancellationToken)
    {
        if (!Matches(name))
        {
            return DatabaseLookup.NotFound;
        }

        if (!_cache.TryGetValue(name, out var entry) || entry.IsExpired(_time))
        {
            using (var userLease = _userLookups.AttemptAcquire(user))
            {
                if (!userLease.IsAcquired)
                {
                    TenantLog.ThrottledForUser(_logger, name, user, _options.LookupsPerSecondPerUser);
                    return DatabaseLookup.ThrottledForUser;
                }
            }

            using (var lease = _lookups.AttemptAcquire())
            {
                if (!lease.IsAcquired)
                {
                    TenantLog.Throttled(_logger, name, _options.LookupsPerSecond);
                    return DatabaseLookup.Throttled;
                }
            }

            var fresh = new Entry();
            entry = _cache.AddOrUpdate(name, fresh, (_, existing) => existing.IsExpired(_time) ? fresh : existing);
            if (ReferenceEquals(entry, fresh))
            {
                _ = LookUpAsync(name, fresh);
            }
        }

        var database = await entry.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
        return database is null ? DatabaseLookup.NotFound : DatabaseLookup.Found(database);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _lookups.Dispose();
        _userLookups.Dispose();
        if (_maintenance is not null)
        {
            await _maintenance.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TokenBucketRateLimiterOptions PerSecond(int lookups) => new()
    {
        TokenLimit = Math.Max(1, lookups),
        TokensPerPeriod = Math.Max(1, lookups),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        AutoReplenishment = true,
        QueueLimit = 0,
    };

    private async Task LookUpAsync(string name, Entry entry)
    {
        DatabaseDefinition? database = null;
        try
        {
            if (await ExistsAsync(name).ConfigureAwait(false))
            {
                var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionStringTemplate) { Database = name };
                database = new DatabaseDefinition(name, builder.ConnectionString, _channels, _options.Outbox.Enabled ? _options.Outbox : null);
            }

            TenantLog.LookedUp(_logger, name, database is not null);
            entry.Resolved(_time, database is null ? _options.NegativeCacheDuration : _options.CacheDuration);
            if (database is null && _cache.Count > _options.MaxCachedNames && !MakeRoom())
            {
                _cache.TryRemove(KeyValuePair.Create(name, entry));
            }
        }
        catch (Exception ex)
        {
            // Not remembered: the next request looks again (within the rate limit).
            TenantLog.LookupFailed(_logger, name, _server, ex);
            _cache.TryRemove(KeyValuePair.Create(name, entry));
        }
        finally
        {
            entry.Complete(database);
        }
    }

    private async Task<bool> ExistsAsync(string name)
    {
        // Connecting to the name itself would let a client make the hub open connections to any database;
        // the catalog of the maintenance database answers without that. CONNECT is checked too, so a database
        // the hub's role may not use is refused here rather than failing later in the listener.
        await using var command = _maintenance!.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT'))");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.CommandTimeout = 5;
        return await command.ExecuteScalarAsync().ConfigureAwait(false) is true;
    }

    private bool MakeRoom()
    {
        foreach (var (key, cached) in _cache)
        {
            if (cached.IsExpired(_time))
            {
                _cache.TryRemove(KeyValuePair.Create(key, cached));
            }
        }

        return _cache.Count <= _options.MaxCachedNames;
    }

    /// <summary>One name's lookup: pending until it completes, then remembered for its time to live.</summary>
    private sealed class Entry
    {
        private readonly TaskCompletionSource<DatabaseDefinition?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _resolvedAt;
        private TimeSpan _timeToLive = TimeSpan.MaxValue;

        public Task<DatabaseDefinition?> Result => _result.Task;

        public bool IsExpired(TimeProvider time)
        {
            var resolvedAt = Interlocked.Read(ref _resolvedAt);
            return resolvedAt != 0 && time.GetElapsedTime(resolvedAt) >= _timeToLive;
        }

        public void Resolved(TimeProvider time, TimeSpan timeToLive)
        {
            _timeToLive = timeToLive;
            Interlocked.Exchange(ref _resolvedAt, time.GetTimestamp());
        }

        public void Complete(DatabaseDefinition? database) => _result.TrySetResult(database);
    }
}
