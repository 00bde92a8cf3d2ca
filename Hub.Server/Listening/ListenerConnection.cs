using Npgsql;

namespace Hub.Server.Listening;

/// <summary>
/// The dedicated connection of a listener: unpooled, probed by the hub itself, and never left waiting on a
/// database that stopped answering.
/// </summary>
/// <remarks>
/// Not pooled: returning a connection to the pool runs <c>UNLISTEN *</c> and would drop session state such as
/// advisory locks. Every command, the leadership's advisory-lock statements included, goes through
/// <see cref="ExecuteAsync(string)"/> or <see cref="QueryAsync"/> and is bounded by a wait the connection enforces
/// itself rather than by Npgsql's command timeout, which first sends a cancel request over a new connection and, on
/// a dead network, takes as long again as the connect timeout. Open and commands are never cancelled through a
/// token (Npgsql's cancellation of in-flight operations has had deadlocks that a bounded wait cannot have): when
/// the wait runs out, or the host stops, the hub stops waiting, the connection counts as lost and is closed once the
/// command ends. Only <see cref="WaitAsync"/>, which runs no statement, is cut short by a token and stays usable.
/// </remarks>
public sealed class ListenerConnection : IAsyncDisposable
{
    /// <summary>The <c>application_name</c> of listener connections, unless the connection string sets one.</summary>
    public const string DefaultApplicationName = "notify-hub listener";

    private readonly NpgsqlConnection _connection;
    private readonly NotificationEventHandler _onNotification;
    private readonly TimeSpan _commandTimeout;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private Task? _stuckCommand;

    private ListenerConnection(
        NpgsqlConnection connection, NotificationEventHandler onNotification, TimeSpan commandTimeout, TimeProvider time, CancellationToken stopping)
    {
        _connection = connection;
        _onNotification = onNotification;
        _commandTimeout = commandTimeout;
        _time = time;
        _stopping = stopping;
        ApplicationName = new NpgsqlConnectionStringBuilder(connection.ConnectionString).ApplicationName ?? DefaultApplicationName;
    }

    /// <summary>The <c>application_name</c> the connection was opened with.</summary>
    public string ApplicationName { get; }

    /// <summary>How long a command may take before the connection counts as lost.</summary>
    public TimeSpan CommandTimeout => _commandTimeout;

    /// <summary>The process id of the PostgreSQL backend serving this connection.</summary>
    public int ProcessId => _connection.ProcessID;

    /// <summary>Whether the connection is open and usable.</summary>
    public bool IsOpen => _stuckCommand is null && _connection.State == System.Data.ConnectionState.Open;

    /// <summary>
    /// The connection string a listener uses: the configured one, unpooled, with the hub's own keepalive and
    /// <paramref name="connectTimeout"/>, and <see cref="DefaultApplicationName"/> unless it names itself.
    /// </summary>
    public static string BuildConnectionString(string connectionString, TimeSpan connectTimeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            Enlist = false,
            // The hub probes the connection itself (KeepAliveInterval) so it knows when it last was alive.
            KeepAlive = 0,
            TcpKeepAlive = true,
            // A timed-out probe means the connection is gone: break it at once rather than first trying a
            // PostgreSQL cancel request, which needs a new connection over the very network that failed.
            CancellationTimeout = -1,
            Timeout = Math.Max(1, (int)Math.Ceiling(connectTimeout.TotalSeconds)),
        };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = DefaultApplicationName;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Opens a connection whose notifications go to <paramref name="onNotification"/>, raised inside Npgsql's read
    /// loop. The connect timeout of <paramref name="connectionString"/> bounds the attempt; a command is waited for
    /// at most <paramref name="commandTimeout"/>, and not at all once <paramref name="stopping"/> is cancelled.
    /// </summary>
    public static async Task<ListenerConnection> OpenAsync(
        string connectionString,
        NotificationEventHandler onNotification,
        TimeSpan commandTimeout,
        TimeProvider time,
        CancellationToken stopping)
    {
        var npgsql = new NpgsqlConnection(connectionString);
        npgsql.Notification += onNotification;
        var connection = new ListenerConnection(npgsql, onNotification, commandTimeout, time, stopping);
        try
        {
            await npgsql.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <summary>Whether <paramref name="exception"/> means the connection (or the attempt to open one) failed.</summary>
    public static bool IsFailure(Exception exception)
        => exception is NpgsqlException or ListenerConnectionLostException or IOException
            or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for notifications, which are raised before this returns.
    /// Cancelling <paramref name="wake"/> ends the wait early and leaves the connection usable.
    /// </summary>
    /// <returns>Whether a notification arrived.</returns>
    /// <remarks>
    /// The timeout runs on the hub's <see cref="TimeProvider"/>, not Npgsql's own timer, so the idle grace period and
    /// the keepalive interval follow the same clock as the rest of the listener.
    /// </remarks>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken wake)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, wake);
        try
        {
            await _connection.WaitAsync(either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !wake.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Checks that the database still answers.</summary>
    public Task ProbeAsync() => ExecuteAsync("SELECT 1");

    /// <summary>Runs <paramref name="sql"/>, giving up on the connection if it does not complete in time.</summary>
    /// <exception cref="ListenerConnectionLostException">The database did not answer within the command timeout.</exception>
    public Task ExecuteAsync(string sql) => QueryAsync(sql, TimeSpan.Zero);

    /// <summary>
    /// Runs <paramref name="sql"/> with named <paramref name="parameters"/> and returns the first column of the first
    /// row of its first result (null when there is none), giving up on the connection if it does not complete within the command timeout plus
    /// <paramref name="extraTime"/> (for a statement that waits on purpose, such as a lock wait).
    /// </summary>
    /// <exception cref="ListenerConnectionLostException">The database did not answer in time.</exception>
    /// <exception cref="OperationCanceledException">The host is stopping; the connection is given up.</exception>
    public async Task<object?> QueryAsync(string sql, TimeSpan extraTime, params (string Name, object Value)[] parameters)
    {
        var timeout = _commandTimeout + extraTime;
        var execution = ExecuteUnboundedAsync(sql, parameters);
        try
        {
            return await execution.WaitAsync(timeout, _time, _stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // An Npgsql connection cannot be closed mid-command: remember the command so that disposing
            // closes the connection only once it has ended.
            _stuckCommand = execution;
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new ListenerConnectionLostException($"The database did not answer within {timeout}.");
        }
    }

    /// <summary>Closes the connection now, or in the background once a stuck command ends.</summary>
    public ValueTask DisposeAsync()
    {
        if (_stuckCommand is { } stuck)
        {
            _ = CloseWhenDoneAsync(stuck);
            return ValueTask.CompletedTask;
        }

        return CloseAsync();
    }

    private async Task<object?> ExecuteUnboundedAsync(string sql, (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, _connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task CloseWhenDoneAsync(Task stuck)
    {
        try
        {
            await stuck.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex))
        {
            // Expected: the connection is broken.
        }

        await CloseAsync().ConfigureAwait(false);
    }

    private async ValueTask CloseAsync()
    {
        _connection.Notification -= _onNotification;
        try
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex))
        {
            // Closing a broken connection can fail; it is gone either way.
        }
    }
}
