using Hub.Server.Contracts;
using Hub.Server.Publishing;
using Hub.Server.Streams;
using Hub.Server.Subscriptions;
using Hub.Server.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Hubs;

/// <summary>
/// The SignalR hub at <see cref="NotificationHubEndpoint.Path"/>: clients subscribe to databases and channels
/// and receive <c>notification</c> and <c>resync</c> messages.
/// </summary>
public sealed class NotificationHub(
    SubscriptionService subscriptions,
    PublishService publisher,
    StreamReplayService streams,
    ConnectionCounter connections,
    HubActivities activities,
    IHostApplicationLifetime lifetime) : Microsoft.AspNetCore.SignalR.Hub
{
    /// <summary>
    /// Subscribes to <paramref name="channel"/> of <paramref name="database"/>, or to every allowed channel when
    /// <paramref name="channel"/> is null. When this returns, the LISTEN is active.
    /// </summary>
    /// <returns>The channels of the database this connection is subscribed to now.</returns>
    public Task<string[]> Subscribe(string? database, string? channel)
        => activities.TraceCallAsync(HubDiagnostics.Activities.Subscribe, database, channel, () => subscriptions.SubscribeAsync(Context, Groups, database, channel));

    /// <summary>
    /// Subscribes to <paramref name="channel"/> (every channel when null) of the outbox database
    /// <paramref name="database"/> and sends everything after <paramref name="since"/> before the live notifications,
    /// with no gap and no duplicate between them; <paramref name="since"/> null starts live.
    /// </summary>
    public Task<SubscribeFromResult> SubscribeFrom(string? database, string? channel, string? since)
        => activities.TraceCallAsync(
            HubDiagnostics.Activities.SubscribeFrom, database, channel, () => streams.SubscribeFromAsync(Context, Groups, Clients.Caller, database, channel, since));

    /// <summary>Unsubscribes from <paramref name="channel"/> of <paramref name="database"/>, or from all its channels when null.</summary>
    public Task Unsubscribe(string? database, string? channel)
        => activities.TraceCallAsync(HubDiagnostics.Activities.Unsubscribe, database, channel, () => subscriptions.UnsubscribeAsync(Context, Groups, database, channel));

    /// <summary>
    /// Sends <paramref name="payload"/> as a NOTIFY on <paramref name="channel"/> of <paramref name="database"/>;
    /// needs the publish claim. Subscribers receive it like any other notification.
    /// </summary>
    public Task Publish(string? database, string? channel, string? payload)
        => publisher.PublishAsync(Context, database, channel, payload);

    /// <inheritdoc />
    public override Task OnConnectedAsync()
    {
        connections.Connected();
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // SignalR closes the open connections when the host starts stopping, and clients reconnect at once.
            // Turning those reconnects away sends them to another instance (behind a load balancer) and lets
            // this one drain, instead of holding the server's shutdown until its timeout.
            Context.Abort();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Disconnected();
        await subscriptions.RemoveConnectionAsync(Context).ConfigureAwait(false);
    }
}
