using Npgsql;

namespace Hub.Server.Scaling;

/// <summary>
/// Decides which instance listens to a database when several share a backplane: the one whose LISTEN connection
/// holds the database's session advisory lock. Leadership therefore ends with that connection, whether its last
/// subscriber left, its process died or the network dropped it, and PostgreSQL hands the lock to the next waiter.
/// </summary>
/// <remarks>
/// Without a backplane every instance serves only its own clients and listens for them itself: no lock is taken.
/// A standby runs no LISTEN and is renamed (<c>application_name</c> gets <see cref="StandbySuffix"/>) so an operator
/// can tell it from the listener in <c>pg_stat_activity</c>.
/// </remarks>
public sealed class ListenerLeadership
{
    /// <summary>Appended to the listener's <c>application_name</c> while it waits for the lock.</summary>
    public const string StandbySuffix = " (standby)";

    private const string LockNotAvailable = "55P03";

    private ListenerLeadership(bool enabled, TimeSpan standbyLockWait)
    {
        Enabled = enabled;
        StandbyLockWait = standbyLockWait;
    }

    /// <summary>Leadership of a single instance: it always listens.</summary>
    public static ListenerLeadership None { get; } = new(false, TimeSpan.Zero);

    /// <summary>Whether instances compete for each database's lock (a backplane is configured).</summary>
    public bool Enabled { get; }

    /// <summary>How long one wait for the lock lasts before the standby looks at its subscribers again.</summary>
    public TimeSpan StandbyLockWait { get; }

    /// <summary>Leadership among the instances of one backplane.</summary>
    public static ListenerLeadership Clustered(ScaleOutOptions options) => new(true, options.StandbyLockWait);

    /// <summary>Takes the lock of <paramref name="database"/> if no other session holds it.</summary>
    public async Task<bool> TryAcquireAsync(NpgsqlConnection connection, string database, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection)
        {
            CommandTimeout = Seconds(timeout),
        };
        command.Parameters.AddWithValue("key", AdvisoryLockKeys.ForListener(database));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    /// <summary>
    /// Stops listening and marks the connection as a standby: the lock holder listens on every channel for the cluster.
    /// </summary>
    public async Task StandByAsync(NpgsqlConnection connection, string applicationName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UNLISTEN *; SELECT set_config('application_name', @name, false)", connection)
        {
            CommandTimeout = Seconds(timeout),
        };
        command.Parameters.AddWithValue("name", applicationName + StandbySuffix);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits up to <see cref="StandbyLockWait"/> for the lock of <paramref name="database"/>; PostgreSQL grants it the
    /// moment the holder's session releases it. Returns false when the wait ran out and the lock is still held.
    /// </summary>
    /// <remarks>The wait is a blocking statement; cancelling it sends a cancel request and leaves the connection usable.</remarks>
    public async Task<bool> WaitAsync(NpgsqlConnection connection, string database, TimeSpan commandSlack, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT set_config('lock_timeout', @wait, false); SELECT pg_advisory_lock(@key)", connection)
        {
            CommandTimeout = Seconds(StandbyLockWait + commandSlack),
        };
        command.Parameters.AddWithValue("wait", $"{(long)StandbyLockWait.TotalMilliseconds}ms");
        command.Parameters.AddWithValue("key", AdvisoryLockKeys.ForListener(database));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == LockNotAvailable)
        {
            return false;
        }
    }

    /// <summary>Gives the connection its listener name back once it holds the lock.</summary>
    public static async Task LeadAsync(NpgsqlConnection connection, string applicationName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT set_config('lock_timeout', '0', false), set_config('application_name', @name, false)", connection)
        {
            CommandTimeout = Seconds(timeout),
        };
        command.Parameters.AddWithValue("name", applicationName);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int Seconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
}
