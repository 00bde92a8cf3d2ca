using Hub.Server.Listening;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Server.Scaling;

/// <summary>
/// Decides which instance listens to a database when several share a backplane: the one whose LISTEN connection
/// holds the database's session advisory lock. Leadership therefore ends with that connection, whether its last
/// subscriber left, its process died or the network dropped it, and PostgreSQL hands the lock to the next waiter.
/// </summary>
/// <remarks>
/// Every statement runs through the listener connection's bounded commands (see <see cref="ListenerConnection"/>).
/// A standby runs no LISTEN and is renamed (<c>application_name</c> gets <see cref="StandbySuffix"/>) so an operator
/// can tell it from the listener in <c>pg_stat_activity</c>.
/// </remarks>
public sealed class AdvisoryLockLeadership(IOptions<ScaleOutOptions> options) : IListenerLeadership
{
    /// <summary>Appended to the listener's <c>application_name</c> while it waits for the lock.</summary>
    public const string StandbySuffix = " (standby)";

    private const string LockNotAvailable = "55P03";

    private readonly TimeSpan _standbyLockWait = options.Value.StandbyLockWait;

    /// <inheritdoc />
    public bool Clustered => true;

    /// <summary>Takes the lock of <paramref name="database"/> if no other session holds it.</summary>
    public async Task<bool> TryLeadAsync(ListenerConnection connection, string database)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.QueryAsync("SELECT pg_try_advisory_lock(@key)", TimeSpan.Zero, ("key", AdvisoryLockKeys.ForListener(database)))
            .ConfigureAwait(false) is true;
    }

    /// <inheritdoc />
    public Task StandByAsync(ListenerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.QueryAsync(
            "UNLISTEN *; SELECT set_config('application_name', @name, false)", TimeSpan.Zero, ("name", connection.ApplicationName + StandbySuffix));
    }

    /// <summary>
    /// Waits up to <see cref="ScaleOutOptions.StandbyLockWait"/> for the lock of <paramref name="database"/>; PostgreSQL
    /// grants it the moment the holder's session releases it. Returns false when the wait ran out and the lock is
    /// still held.
    /// </summary>
    public async Task<bool> WaitToLeadAsync(ListenerConnection connection, string database)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            // The statement itself gives up after lock_timeout; the connection's bound allows for that on top.
            await connection.QueryAsync(
                "SELECT set_config('lock_timeout', @wait, false); SELECT pg_advisory_lock(@key)",
                _standbyLockWait,
                ("wait", $"{(long)_standbyLockWait.TotalMilliseconds}ms"),
                ("key", AdvisoryLockKeys.ForListener(database))).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == LockNotAvailable)
        {
            return false;
        }

        await connection.QueryAsync(
            "SELECT set_config('lock_timeout', '0', false), set_config('application_name', @name, false)",
            TimeSpan.Zero,
            ("name", connection.ApplicationName)).ConfigureAwait(false);
        return true;
    }
}
