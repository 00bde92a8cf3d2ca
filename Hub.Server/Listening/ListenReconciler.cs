using Hub.Server.Databases;
using Microsoft.Extensions.Logging;

namespace Hub.Server.Listening;

/// <summary>
/// Brings one listener connection's LISTEN set in line with the channels wanted, and releases the subscribers it
/// serves then. Run by the listener's loop only, on its connection.
/// </summary>
internal sealed class ListenReconciler(
    DatabaseDefinition database, IListenerLeadership leadership, IDatabaseStreamReader? stream, ListenerStatus status, ILogger logger)
{
    // Whether the current connection LISTENs on the stream's wake-up channel (outbox databases).
    private bool _wakeListened;

    /// <summary>The connection LISTENs on nothing (a new one, or one that stood by and UNLISTENed everything).</summary>
    public void Unlistened() => _wakeListened = false;

    /// <summary>
    /// Runs the LISTENs and UNLISTENs the channels wanted need. When <paramref name="forwarding"/>, the listener is
    /// listening from now on and the subscribers whose channels are all LISTENed on are released; LISTENing ahead of
    /// leading delivers nothing yet, so then no subscriber may be told it is active.
    /// </summary>
    public async Task SyncAsync(ListenerConnection connection, bool forwarding)
    {
        ListenChange change;
        lock (status.Gate)
        {
            // With a backplane the one listener serves subscribers of every instance, so it LISTENs on every allowed channel.
            change = status.ListenSet.Plan(leadership.Clustered ? database.Channels : status.Subscriptions.Channels);
        }

        if (stream is not null)
        {
            // The app's channels are served by the stream's reader (the set still tracks them for subscribers and
            // stats); only the wake-up is LISTENed on.
            if (!_wakeListened)
            {
                await connection.ExecuteAsync("LISTEN " + PostgresNames.QuoteIdentifier(stream.WakeChannel) + ";").ConfigureAwait(false);
                _wakeListened = true;
            }
        }
        else if (!change.IsEmpty)
        {
            await connection.ExecuteAsync(change.Sql()).ConfigureAwait(false);
        }

        IReadOnlySet<string> active;
        lock (status.Gate)
        {
            status.ListenSet.Applied(change);
            active = status.ListenSet.Active;
            status.LastErrorLocked = null;
            if (forwarding)
            {
                status.TransitionToLocked(ListenerState.Listening);
                status.Subscriptions.Activate(active);
            }
        }

        if (!change.IsEmpty)
        {
            ListenerLog.ChannelsChanged(logger, database.Name, active);
        }
    }
}
