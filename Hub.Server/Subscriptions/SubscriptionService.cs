using System.Collections.Concurrent;
using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Limits;
using Hub.Server.Listening;
using Hub.Server.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Subscriptions;

/// <summary>
/// Turns a client's <c>Subscribe</c> and <c>Unsubscribe</c> calls into SignalR group memberships and
/// listener subscriptions, after checking every name the client sent.
/// </summary>
public sealed class SubscriptionService(
    HubCallGuard guard,
    ListenerManager listeners,
    IOptions<ListenerOptions> listenerOptions,
    IOptions<LimitOptions> limitOptions,
    ILogger<SubscriptionService> logger)
{
    private readonly ConcurrentDictionary<string, int> _subscribersByDatabase = new(StringComparer.Ordinal);

    /// <summary>How many connections are subscribed to at least one channel of each database.</summary>
    public int SubscribersOf(string database) => _subscribersByDatabase.GetValueOrDefault(database);

    /// <summary>
    /// Subscribes the calling connection to <paramref name="channel"/> of <paramref name="database"/>
    /// (every allowed channel when null) and returns once the LISTEN is active.
    /// </summary>
    /// <returns>The channels of the database the connection is subscribed to now.</returns>
    public async Task<string[]> SubscribeAsync(HubCallerContext context, IGroupManager groups, string? database, string? channel)
    {
        var definition = await guard.ResolveAsync(context, database, DatabaseRight.Subscribe).ConfigureAwait(false);
        var channels = guard.ResolveChannels(context, definition, channel);
        var subscriptions = ConnectionSubscriptions.For(context);
        var cancellationToken = context.ConnectionAborted;

        await subscriptions.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var held = subscriptions.ChannelsOf(definition.Name);
            var added = channels.Where(c => !held.Contains(c)).ToArray();
            var limit = limitOptions.Value.SubscriptionsPerConnection;
            if (subscriptions.Count + added.Length > limit)
            {
                throw guard.Refuse(context, Refusals.Reasons.LimitExceeded, Refusals.TooManySubscriptions(limit));
            }

            if (added.Length > 0)
            {
                await JoinAsync(context, groups, definition, firstOfDatabase: held.Count == 0, added).ConfigureAwait(false);
                subscriptions.Add(definition.Name, added);
                SubscriptionLog.Subscribed(logger, context.ConnectionId, definition.Name, added);
            }

            return [.. subscriptions.ChannelsOf(definition.Name)];
        }
        finally
        {
            subscriptions.Gate.Release();
        }
    }

    /// <summary>
    /// Unsubscribes the calling connection from <paramref name="channel"/> of <paramref name="database"/>
    /// (every channel when null). Unsubscribing from something never subscribed does nothing.
    /// </summary>
    public async Task UnsubscribeAsync(HubCallerContext context, IGroupManager groups, string? database, string? channel)
    {
        RequireWellFormed(context, database, channel);
        var subscriptions = ConnectionSubscriptions.For(context);
        await subscriptions.Gate.WaitAsync(context.ConnectionAborted).ConfigureAwait(false);
        try
        {
            var held = subscriptions.ChannelsOf(database!);
            var removed = channel is null ? held.ToArray() : held.Where(c => c == channel).ToArray();
            if (removed.Length == 0)
            {
                return;
            }

            subscriptions.Remove(database!, removed);
            var lastOfDatabase = subscriptions.ChannelsOf(database!).Count == 0;
            foreach (var name in removed)
            {
                await groups.RemoveFromGroupAsync(context.ConnectionId, GroupNames.ForChannel(database!, name)).ConfigureAwait(false);
            }

            if (lastOfDatabase)
            {
                await groups.RemoveFromGroupAsync(context.ConnectionId, GroupNames.ForDatabase(database!)).ConfigureAwait(false);
                DecrementSubscribers(database!);
            }

            listeners.Release(database!, removed);
            SubscriptionLog.Unsubscribed(logger, context.ConnectionId, database!, removed);
        }
        finally
        {
            subscriptions.Gate.Release();
        }
    }

    /// <summary>
    /// Releases every subscription of a connection that has gone. SignalR removes it from its groups by itself.
    /// </summary>
    public async Task RemoveConnectionAsync(HubCallerContext context)
    {
        var subscriptions = ConnectionSubscriptions.For(context);
        await subscriptions.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var (database, channels) in subscriptions.Clear())
            {
                listeners.Release(database, channels);
                DecrementSubscribers(database);
            }
        }
        finally
        {
            subscriptions.Gate.Release();
        }
    }

    private async Task JoinAsync(HubCallerContext context, IGroupManager groups, DatabaseDefinition definition, bool firstOfDatabase, string[] added)
    {
        // Join the groups before the LISTEN becomes active, so nothing the listener receives from then on can miss this connection.
        var joined = new List<string>(added.Length + 1);
        try
        {
            if (firstOfDatabase)
            {
                joined.Add(GroupNames.ForDatabase(definition.Name));
            }

            joined.AddRange(added.Select(c => GroupNames.ForChannel(definition.Name, c)));
            foreach (var group in joined)
            {
                await groups.AddToGroupAsync(context.ConnectionId, group, context.ConnectionAborted).ConfigureAwait(false);
            }

            await listeners.AcquireAsync(definition, added, context.ConnectionAborted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var group in joined)
            {
                await groups.RemoveFromGroupAsync(context.ConnectionId, group, CancellationToken.None).ConfigureAwait(false);
            }

            if (ex is OperationCanceledException && context.ConnectionAborted.IsCancellationRequested)
            {
                throw;
            }

            if (ex is DatabaseConnectionsExhaustedException exhausted)
            {
                throw guard.Refuse(context, Refusals.Reasons.DatabaseConnectionsExhausted, Refusals.DatabaseConnectionsExhausted(definition.Name, exhausted.Limit));
            }

            SubscriptionLog.Unreachable(logger, context.ConnectionId, definition.Name, listenerOptions.Value.SubscribeTimeout, ex is TimeoutException ? null : ex);
            throw guard.Refuse(context, Refusals.Reasons.DatabaseUnreachable, Refusals.DatabaseUnreachable(definition.Name));
        }

        if (firstOfDatabase)
        {
            _subscribersByDatabase.AddOrUpdate(definition.Name, 1, static (_, count) => count + 1);
        }
    }

    private void RequireWellFormed(HubCallerContext context, string? database, string? channel)
    {
        guard.RequireWellFormedDatabase(context, database);
        if (channel is not null)
        {
            guard.RequireWellFormedChannel(context, channel);
        }
    }

    private void DecrementSubscribers(string database)
        => _subscribersByDatabase.AddOrUpdate(database, 0, static (_, count) => Math.Max(0, count - 1));
}
