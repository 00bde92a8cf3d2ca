using System.Runtime.CompilerServices;
using Hub.Server.Listening;
using Hub.Server.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Scaling;

/// <summary>
/// Decides which instance listens to a database when several share a backplane: the one whose LISTEN connection
/// holds the database's session advisory lock. Leadership therefore ends with that connection, whether its last
/// subscriber left, its process died or the network dropped it, and PostgreSQL hands the lock to the next waiter.
/// A leader that is alive but does not act (a frozen process, a long pause, a hung thread) keeps its session, so the
/// leader also runs a heartbeat statement (<see cref="LeaderHeartbeat"/>) and a standby that finds it silent for
/// <see cref="ScaleOutOptions.LeaderTimeout"/> terminates its session and takes the lock.
/// </summary>
/// <remarks>
/// <para>
/// A leader publishes what it forwards on the envelope channel (<see cref="EnvelopeChannelPublisher"/>), so an
/// instance that cannot reach Redis does not take the lock, and a leader whose publishes stop getting through for
/// <see cref="ScaleOutOptions.LeaderTimeout"/> less one heartbeat interval gives the leadership up at its next heartbeat (as if its connection were
/// lost), so that an instance with Redis takes over. Each term of leading starts with an epoch from PostgreSQL
/// (<c>txid_current()</c>, taken under the lock): later leaders always have larger ones.
/// </para>
/// <para>
/// Every statement runs through the listener connection's bounded commands (see <see cref="ListenerConnection"/>).
/// A standby runs no LISTEN and is renamed (<c>application_name</c> gets <see cref="StandbySuffix"/>) so an operator
/// can tell it from the listener in <c>pg_stat_activity</c>.
/// </para>
/// </remarks>
public sealed class AdvisoryLockLeadership(
    IOptions<ScaleOutOptions> options,
    EnvelopeChannelPublisher publisher,
    EnvelopeChannelReceiver receiver,
    HubInstance instance,
    TimeProvider time,
    ILogger<AdvisoryLockLeadership> logger) : IListenerLeadership
{
    /// <summary>Appended to the listener's <c>application_name</c> while it waits for the lock.</summary>
    public const string StandbySuffix = " (standby)";

    private const string LockNotAvailable = "55P03";

    private readonly TimeSpan _heartbeatInterval = options.Value.LeaderHeartbeatInterval;
    private readonly TimeSpan _leaderTimeout = options.Value.LeaderTimeout;
    // One wait on the lock lasts no longer than a heartbeat interval, so that a silent leader is noticed in time.
    private readonly TimeSpan _lockWait = Min(options.Value.StandbyLockWait, options.Value.LeaderHeartbeatInterval);

    // The database each leading connection leads, for its heartbeats on the envelope channel.
    private readonly ConditionalWeakTable<ListenerConnection, string> _leading = new();

    /// <inheritdoc />
    public bool Clustered => true;

    /// <inheritdoc />
    public TimeSpan HeartbeatInterval => _heartbeatInterval;

    /// <summary>
    /// <see cref="ScaleOutOptions.LeaderTimeout"/> less half a heartbeat interval: a standby terminates a leader only
    /// after that much silence by PostgreSQL's clock, which started no earlier than the leader's own count, so the
    /// lease is over before the successor starts. The half interval absorbs the gap between the last check and a send.
    /// </summary>
    public TimeSpan LeaseDuration => _leaderTimeout - (_heartbeatInterval / 2);

    /// <summary>Takes the lock of <paramref name="database"/> if no other session holds it.</summary>
    public async Task<bool> TryLeadAsync(ListenerConnection connection, string database)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!publisher.CanLead)
        {
            return false;
        }

        var epoch = await connection.QueryAsync(
            "SELECT CASE WHEN pg_try_advisory_lock(@key) THEN txid_current() END", TimeSpan.Zero, ("key", AdvisoryLockKeys.ForListener(database)))
            .ConfigureAwait(false);
        if (epoch is not long leading)
        {
            return false;
        }

        BeginTerm(connection, database, leading);
        return true;
    }

    /// <inheritdoc />
    public Task StandByAsync(ListenerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.QueryAsync(
            "UNLISTEN *; SELECT set_config('application_name', @name, false)", TimeSpan.Zero, ("name", connection.ApplicationName + StandbySuffix));
    }

    /// <inheritdoc />
    public async Task HeartbeatAsync(ListenerConnection connection, DateTime? delivered)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.ExecuteAsync(LeaderHeartbeat.Sql(delivered)).ConfigureAwait(false);
        if (_leading.TryGetValue(connection, out var database))
        {
            if (!publisher.IsHealthy(database, out var reason))
            {
                _leading.Remove(connection);
                throw new ListenerConnectionLostException(reason ?? "The envelope channel cannot be published on.");
            }

            publisher.Heartbeat(database);
        }
    }

    /// <summary>
    /// Waits up to <see cref="ScaleOutOptions.StandbyLockWait"/> (at most a heartbeat interval) for the lock of
    /// <paramref name="database"/>; PostgreSQL grants it the moment the holder's session releases it. When the wait
    /// runs out, looks at the holder: one silent for <see cref="ScaleOutOptions.LeaderTimeout"/> is terminated and
    /// the lock waited for once more.
    /// </summary>
    public async Task<LeadershipWait> WaitToLeadAsync(ListenerConnection connection, string database)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!publisher.CanLead)
        {
            // Without Redis this instance could deliver nothing as a leader: it leaves the lock to one that can.
            await Task.Delay(_lockWait, time).ConfigureAwait(false);
            return new LeadershipWait(false, null);
        }

        var key = AdvisoryLockKeys.ForListener(database);
        if (await WaitForLockAsync(connection, key).ConfigureAwait(false) is { } epoch)
        {
            BeginTerm(connection, database, epoch);
            return new LeadershipWait(true, null);
        }

        var holder = LeaderHeartbeat.ParseHolder(await connection.QueryAsync(
            LeaderHeartbeat.HolderSql, TimeSpan.Zero, ("high", (key >> 32) & 0xFFFFFFFF), ("low", key & 0xFFFFFFFF)).ConfigureAwait(false));
        if (holder is not { Silent: { } silent } || silent < _leaderTimeout)
        {
            return new LeadershipWait(false, holder?.Delivered);
        }

        ScaleOutLog.LeaderFenced(logger, database, holder.ProcessId, silent);
        await connection.QueryAsync("SELECT pg_terminate_backend(@pid)", TimeSpan.Zero, ("pid", holder.ProcessId)).ConfigureAwait(false);
        if (await WaitForLockAsync(connection, key).ConfigureAwait(false) is not { } fenced)
        {
            return new LeadershipWait(false, holder.Delivered);
        }

        BeginTerm(connection, database, fenced);
        return new LeadershipWait(true, holder.Delivered);
    }

    private void BeginTerm(ListenerConnection connection, string database, long epoch)
    {
        _leading.AddOrUpdate(connection, database);
        publisher.BeginTerm(database, epoch);
    }

    /// <summary>Waits for the lock; the epoch of the term it starts, or null when the wait ran out.</summary>
    private async Task<long?> WaitForLockAsync(ListenerConnection connection, long key)
    {
        try
        {
            // The statement itself gives up after lock_timeout; the connection's bound allows for that on top.
            await connection.QueryAsync(
                "SELECT set_config('lock_timeout', @wait, false); SELECT pg_advisory_lock(@key)",
                _lockWait,
                ("wait", $"{(long)_lockWait.TotalMilliseconds}ms"),
                ("key", key)).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == LockNotAvailable)
        {
            return null;
        }

        return await connection.QueryAsync(
            "SELECT txid_current(), set_config('lock_timeout', '0', false), set_config('application_name', @name, false)",
            TimeSpan.Zero,
            ("name", connection.ApplicationName)).ConfigureAwait(false) as long?;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <inheritdoc />
    public DateTime? RecentlyDelivered(string database) => receiver.RecentlyDelivered(database, instance.Id);
}
