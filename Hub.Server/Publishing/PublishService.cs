using System.Text;
using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Security;
using Hub.Server.Streams;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Hub.Server.Publishing;

/// <summary>
/// Turns a client's <c>Publish</c> into a <c>pg_notify</c> on the database (a row through the outbox's publish function
/// on an outbox database). The notification then reaches subscribers the way every other does, through the
/// database's listener (or outbox reader), so publishers and other writers are ordered alike.
/// </summary>
public sealed class PublishService(HubCallGuard guard, PublisherPools pools, OutboxSchemaInstaller outboxes, ILogger<PublishService> logger)
{
    /// <summary>PostgreSQL refuses NOTIFY payloads of this many bytes or more (with the default page size).</summary>
    public const int PayloadLimitBytes = 8000;

    // Strict: an unpaired surrogate is refused instead of silently becoming U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Sends <paramref name="payload"/> on <paramref name="channel"/> of <paramref name="database"/>, if the caller
    /// may publish there, and returns once PostgreSQL has committed the NOTIFY.
    /// </summary>
    public async Task PublishAsync(HubCallerContext context, string? database, string? channel, string? payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        var definition = await guard.ResolveAsync(context, database, DatabaseRight.Publish).ConfigureAwait(false);
        if (channel is null)
        {
            throw guard.Refuse(context, Refusals.Reasons.ChannelNotAllowed, Refusals.ChannelRequired());
        }

        guard.ResolveChannels(context, definition, channel);
        payload ??= string.Empty;
        // An outbox database's notifications are rows of its outbox, written by the same function applications call.
        var outbox = definition.Outbox;
        var bytes = CheckPayload(context, payload, outbox?.MaxPayloadBytes);

        try
        {
            if (outbox is not null)
            {
                await outboxes.EnsureAsync(definition, context.ConnectionAborted).ConfigureAwait(false);
            }

            await using var publisher = await pools.For(definition).OpenAsync(context.ConnectionAborted).ConfigureAwait(false);
            // Parameters, never text: the channel and payload reach PostgreSQL as values, whatever they contain.
            await using var command = new NpgsqlCommand(outbox is null ? "SELECT pg_notify($1, $2)" : new OutboxSql(outbox.Schema).Publish, publisher.Connection);
            command.Parameters.Add(new NpgsqlParameter { Value = channel });
            command.Parameters.Add(new NpgsqlParameter { Value = payload });
            await command.ExecuteNonQueryAsync(context.ConnectionAborted).ConfigureAwait(false);
        }
        catch (DatabaseConnectionsExhaustedException ex)
        {
            throw guard.Refuse(context, Refusals.Reasons.DatabaseConnectionsExhausted, Refusals.DatabaseConnectionsExhausted(definition.Name, ex.Limit));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException
            || (ex is OperationCanceledException && !context.ConnectionAborted.IsCancellationRequested))
        {
            PublishLog.Failed(logger, context.ConnectionId, definition.Name, channel, ex);
            throw guard.Refuse(context, Refusals.Reasons.PublishFailed, Refusals.PublishFailed(definition.Name));
        }

        PublishLog.Published(logger, context.ConnectionId, context.UserIdentifier ?? "anonymous", definition.Name, channel, bytes);
    }

    private int CheckPayload(HubCallerContext context, string payload, int? outboxLimit)
    {
        if (payload.Contains('\0', StringComparison.Ordinal))
        {
            throw guard.Refuse(context, Refusals.Reasons.PayloadInvalid, Refusals.PayloadContainsNul());
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(payload);
        }
        catch (EncoderFallbackException)
        {
            throw guard.Refuse(context, Refusals.Reasons.PayloadInvalid, Refusals.PayloadNotUnicode());
        }

        if (outboxLimit is { } limit)
        {
            if (bytes > limit)
            {
                throw guard.Refuse(context, Refusals.Reasons.PayloadInvalid, Refusals.OutboxPayloadTooLarge(bytes, limit));
            }
        }
        else if (bytes >= PayloadLimitBytes)
        {
            throw guard.Refuse(context, Refusals.Reasons.PayloadInvalid, Refusals.PayloadTooLarge(bytes, PayloadLimitBytes));
        }

        return bytes;
    }
}
