using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>
/// Subscribes a new connection to everything the client had: durable channels resume from their positions (a
/// recovered resume missed nothing; an unrecovered one gets the hub's <c>history-unavailable</c> resync), the others
/// get one <c>client-reconnected</c> resync per database for the time the client was away.
/// </summary>
internal sealed class Resubscriber(ClientSubscriptions subscriptions, HubCalls calls, StreamCursors cursors, DeliveryMarks marks, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Resubscribes inside the subscriptions' gate, so a Subscribe or Unsubscribe made meanwhile runs before or after
    /// it, and calls <paramref name="failed"/> for each database it could not resubscribe to (the client tries again
    /// on the next reconnect).
    /// </summary>
    /// <returns>The resyncs to raise, each from its database's <see cref="DeliveryMarks"/> mark to the moment its
    /// channels were all subscribed again (a notification committed before then may be missing); the caller raises
    /// them once the gate is released, so that a handler that subscribes does not wait on it.</returns>
    public Task<List<HubResync>> ResubscribeAsync(Action<string, Exception> failed, CancellationToken cancellationToken)
        => subscriptions.ExclusiveAsync(
            async () =>
            {
                var resyncs = new List<HubResync>();
                foreach (var (database, channels) in subscriptions.Current)
                {
                    // Read before subscribing: the new connection's notifications move the mark once it is subscribed.
                    // A database without a mark (only resumed streams so far) has nothing that says since when.
                    var since = marks.SinceFor(database, DateTime.UnixEpoch);
                    try
                    {
                        if (await ResubscribeAsync(database, channels, cancellationToken).ConfigureAwait(false))
                        {
                            // Until the hub confirmed the subscriptions: only from then on is delivery live again.
                            var until = time.GetUtcNow().UtcDateTime;
                            marks.Covered(database, until);
                            resyncs.Add(new HubResync(database, ResyncReasons.ClientReconnected, since, until));
                        }
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        ClientLog.ResubscribeFailed(logger, database, ex);
                        failed(database, ex);
                    }
                }

                return resyncs;
            },
            cancellationToken);

    /// <summary>Resubscribes to the channels of one database; true when one of them may have missed notifications.</summary>
    private async Task<bool> ResubscribeAsync(string database, IReadOnlyCollection<string> channels, CancellationToken cancellationToken)
    {
        var missedAny = false;
        foreach (var channel in channels)
        {
            if (cursors.TryGetResumePosition(database, channel, out var position))
            {
                await calls.SubscribeFromAsync(database, channel, position, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await calls.SubscribeAsync(database, channel, cancellationToken).ConfigureAwait(false);
                missedAny = true;
            }
        }

        ClientLog.Resubscribed(logger, database, channels.Count);
        return missedAny;
    }
}
