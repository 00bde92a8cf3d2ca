using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Security;
using Hub.Server.Subscriptions;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Serves <c>SubscribeFrom</c> on the instance the client is connected to: subscribes the connection, then writes
/// it the history after its position straight from PostgreSQL (<see cref="StreamReplay"/>), then lets the live
/// notifications through.
/// </summary>
/// <remarks>
/// The connection's live messages are held (<see cref="StreamConnection"/>) from before it joins its groups until the
/// replay is written and the reader has sent past it; then the held notifications of the replayed channels at or
/// before the last replayed position are dropped and the rest go out. Where each replayed channel stands is kept for
/// the connection, so that a gap in live delivery later replays it from there (<see cref="StreamGapRecovery"/>); a gap
/// found during the call has the hold handed over to that recovery instead of released.
/// </remarks>
public sealed class StreamReplayService(
    HubCallGuard guard,
    SubscriptionService subscriptions,
    OutboxSchemaInstaller installer,
    StreamReplay replay,
    StreamConnections connections,
    StreamGapRecovery recovery)
{
    /// <summary>
    /// Subscribes the calling connection to <paramref name="channel"/> of the outbox database
    /// <paramref name="database"/> (every allowed channel when null) and sends it everything after
    /// <paramref name="since"/> (nothing when null) before the live notifications.
    /// </summary>
    public async Task<SubscribeFromResult> SubscribeFromAsync(
        HubCallerContext context, IGroupManager groups, IClientProxy caller, string? database, string? channel, string? since)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        var definition = await guard.ResolveAsync(context, database, DatabaseRight.Subscribe).ConfigureAwait(false);
        if (definition.Outbox is null)
        {
            throw guard.Refuse(context, Refusals.Reasons.NotAnOutbox, Refusals.NotAnOutbox(definition.Name));
        }

        var channels = guard.ResolveChannels(context, definition, channel);
        StreamPosition? from = null;
        if (since is not null && !StreamPosition.TryParse(since, out from))
        {
            throw guard.Refuse(context, Refusals.Reasons.PositionInvalid, Refusals.PositionInvalid());
        }

        var cancellationToken = context.ConnectionAborted;
        var connection = connections.For(context);

        // A recovery of a gap may hold the connection: this call's hold comes after it.
        var held = await connection.HoldForResumeAsync(definition.Name, recovery.Fanned, cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await installer.EnsureAsync(definition, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw guard.Refuse(context, Refusals.Reasons.DatabaseUnreachable, Refusals.DatabaseUnreachable(definition.Name));
            }

            var subscribed = await subscriptions.SubscribeAsync(context, groups, definition.Name, channel).ConfigureAwait(false);
            connection.Replaying(held, definition.Name, channels);
            ReplayOutcome outcome;
            try
            {
                using (held.Hold.Pass())
                {
                    outcome = await replay.ReplayAsync(
                        context.ConnectionId,
                        (envelope, token) => caller.SendAsync(envelope.ClientMethod(), envelope, token),
                        held.Hold,
                        definition,
                        channels,
                        from,
                        skip: null,
                        cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // What the hold kept came after history the replay did not write: delivered, it would move the client's
                // position past that history, and its retry would skip it. So it is dropped, and the asked channels
                // are left, those subscribed before the call too: nothing of them reaches the connection until a
                // retry from its position succeeds, which then gets everything once.
                connection.Abandon(held, definition.Name, channels);
                await UnsubscribeAsync(context, groups, definition.Name, channels).ConfigureAwait(false);
                throw guard.Refuse(context, Refusals.Reasons.DatabaseUnreachable, Refusals.ReplayFailed(definition.Name));
            }

            await replay.WaitForReaderAsync(definition, outcome.Position, cancellationToken).ConfigureAwait(false);
            connection.Wrote(held, definition, channels, outcome.Position);
            return new SubscribeFromResult(subscribed, outcome.Position.ToString(), outcome.Recovered);
        }
        finally
        {
            // Held messages go out (but the repeats of what was replayed), unless a gap in live delivery came meanwhile:
            // then the recovery replays it first.
            recovery.EndResume(connection, held);
        }
    }

    private async Task UnsubscribeAsync(HubCallerContext context, IGroupManager groups, string database, IReadOnlyList<string> channels)
    {
        foreach (var channel in channels)
        {
            await subscriptions.UnsubscribeAsync(context, groups, database, channel).ConfigureAwait(false);
        }
    }
}
