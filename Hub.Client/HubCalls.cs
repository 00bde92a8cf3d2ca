using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>
/// The hub's methods as typed calls on the connection; <c>SubscribeFrom</c> also moves the stream cursors to where
/// its answer says the subscription stands.
/// </summary>
internal sealed class HubCalls(HubConnection connection, StreamCursors cursors, ILogger logger)
{
    /// <summary><c>Subscribe</c>: the channels of the database the connection is subscribed to now.</summary>
    public Task<string[]> SubscribeAsync(string database, string? channel, CancellationToken cancellationToken)
        => connection.InvokeAsync<string[]>(HubMethods.Subscribe, database, channel, cancellationToken);

    /// <summary><c>SubscribeFrom</c>, with the asked channels' cursors set from its answer.</summary>
    public async Task<StreamSubscription> SubscribeFromAsync(string database, string? channel, string? since, CancellationToken cancellationToken)
    {
        var subscription = await connection.InvokeAsync<StreamSubscription>(HubMethods.SubscribeFrom, database, channel, since, cancellationToken).ConfigureAwait(false);
        // The answer lists every channel of the database this connection has; only the asked ones were replayed. SignalR
        // runs notification handlers on their own loop, so the replayed ones may not have been handled yet: the channels
        // start from 'since' and the replay advances them, never from the answer's position, which would drop the replay.
        // Started live, a channel that was live already keeps its own position for the same reason.
        var asked = channel is null ? subscription.Channels : [channel];
        var from = since is not null && subscription.Recovered ? since : subscription.Position;
        cursors.Resumed(database, asked, from, keepOwnEpoch: since is null);
        ClientLog.SubscribedFrom(logger, database, channel, since, subscription.Position, subscription.Recovered);
        return subscription;
    }

    /// <summary><c>Unsubscribe</c>.</summary>
    public Task UnsubscribeAsync(string database, string? channel, CancellationToken cancellationToken)
        => connection.InvokeAsync(HubMethods.Unsubscribe, database, channel, cancellationToken);

    /// <summary><c>Publish</c>: returns once PostgreSQL has committed the NOTIFY.</summary>
    public Task PublishAsync(string database, string channel, string payload, CancellationToken cancellationToken)
        => connection.InvokeAsync(HubMethods.Publish, database, channel, payload, cancellationToken);
}
