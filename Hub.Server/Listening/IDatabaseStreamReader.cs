namespace Hub.Server.Listening;

/// <summary>
/// What a database's listener drives for an outbox database instead of forwarding NOTIFYs: the listener LISTENs
/// only on <see cref="WakeChannel"/>, wakes the stream when that fires, and tells it when this instance starts
/// and stops being the database's forwarder (always on a single instance, the advisory-lock holder when scaled out).
/// </summary>
public interface IDatabaseStreamReader : IAsyncDisposable
{
    /// <summary>The channel the outbox's publish function notifies.</summary>
    string WakeChannel { get; }

    /// <summary>Something was published; called inside Npgsql's read loop, so it must not block or do I/O.</summary>
    void Wake();

    /// <summary>
    /// This instance forwards the database from now on: returns once the stream knows where it starts (its schema
    /// exists and its cursor is loaded), so that everything committed after this returns reaches subscribers.
    /// </summary>
    Task LeadAsync(CancellationToken cancellationToken);

    /// <summary>This instance no longer forwards the database (connection lost, standing by, stopping).</summary>
    void StandDown();

    /// <summary>
    /// The most PostgreSQL connections the stream opens besides the listener's own: the listener takes them from the
    /// hub's budget along with its own for as long as it runs.
    /// </summary>
    int Connections { get; }

    /// <summary>The listener stopped: closes the stream's idle connections, so that they go back to the budget with the listener's.</summary>
    void CloseIdleConnections();
}
