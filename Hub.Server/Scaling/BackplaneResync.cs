using Hub.Server.Contracts;
using Hub.Server.Delivery;
using Hub.Server.Subscriptions;

namespace Hub.Server.Scaling;

/// <summary>
/// Tells this instance's subscribers that notifications may have been lost while the backplane was away.
/// </summary>
/// <remarks>
/// Each instance tells only its own connections, one by one: the Redis lifetime manager writes to a local connection
/// directly, so the resync reaches every subscriber exactly once even if another instance's Redis link is not back yet.
/// The databases whose gaps the <see cref="IDeliveryGapRecovery"/> closes for a connection (the outbox streams it
/// resumed, whose live notifications ride the envelope channel) are left out: they are replayed instead.
/// </remarks>
public sealed class BackplaneResync(LocalConnections connections, IEnvelopeSender sender, IDeliveryGapRecovery recovery, ILogger<BackplaneResync> logger)
{
    /// <summary>Sends one resync per subscribed database to every local connection; returns how many connections were told.</summary>
    public async Task<int> SendAsync(DateTime since, DateTime until, CancellationToken cancellationToken)
    {
        var told = 0;
        var covered = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        IReadOnlySet<string> CoveredOf(string database)
        {
            if (!covered.TryGetValue(database, out var ids))
            {
                ids = recovery.Covered(database);
                covered[database] = ids;
            }

            return ids;
        }

        foreach (var connection in connections.Current)
        {
            var subscriptions = ConnectionSubscriptions.For(connection);
            string[] databases;
            await subscriptions.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                databases = [.. subscriptions.Databases];
            }
            finally
            {
                subscriptions.Gate.Release();
            }

            databases = [.. databases.Where(database => !CoveredOf(database).Contains(connection.ConnectionId))];

            if (databases.Length == 0)
            {
                continue;
            }

            try
            {
                foreach (var database in databases)
                {
                    var resync = new ResyncEnvelope(database, ResyncReasons.BackplaneReconnected, since, until);
                    await sender.SendToConnectionAsync(connection.ConnectionId, resync, cancellationToken).ConfigureAwait(false);
                }

                told++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One connection going away meanwhile must not keep the others from hearing about the outage.
                ScaleOutLog.ResyncFailed(logger, connection.ConnectionId, ex);
            }
        }

        return told;
    }
}
