using Hub.Server.Contracts;
using Hub.Server.Databases;
using Hub.Server.Limits;
using Hub.Server.Telemetry;
using Hub.Server.Tenants;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Checks the names a client sends with a hub call and resolves the database it may use, in the order that
/// costs least: shape first, then the caller's claims, then the registry (which may look a tenant up).
/// Every refusal is logged (within the connection's <see cref="RefusalLog"/> budget) with the connection and user id, counted by reason, and thrown as the client's
/// <see cref="HubException"/>.
/// </summary>
public sealed class HubCallGuard(
    DatabaseRegistry registry,
    DatabaseAuthorizer authorizer,
    IOptions<TenantOptions> tenantOptions,
    HubMetrics metrics,
    RefusalLog refusals)
{
    /// <summary>
    /// The database <paramref name="database"/> names, if it exists and the caller may use it for
    /// <paramref name="right"/>. Unknown and denied are refused with the same message.
    /// </summary>
    public async ValueTask<DatabaseDefinition> ResolveAsync(HubCallerContext context, string? database, DatabaseRight right)
    {
        ArgumentNullException.ThrowIfNull(context);
        RequireWellFormedDatabase(context, database);
        if (!authorizer.IsAllowed(context.User, database!, right))
        {
            throw right == DatabaseRight.Publish
                ? Refuse(context, Refusals.Reasons.PublishDenied, Refusals.PublishNotAllowed(database!))
                : Refuse(context, Refusals.Reasons.AccessDenied, Refusals.DatabaseNotAvailable(database!));
        }

        var lookup = await registry.FindAsync(database!, context.ConnectionAborted).ConfigureAwait(false);
        if (lookup.RateLimited)
        {
            throw Refuse(context, Refusals.Reasons.LimitExceeded, Refusals.TenantLookupsExceeded(tenantOptions.Value.LookupsPerSecond));
        }

        return lookup.Database
            ?? throw Refuse(context, Refusals.Reasons.DatabaseNotAvailable, Refusals.DatabaseNotAvailable(database!));
    }

    /// <summary>The channels <paramref name="channel"/> stands for on <paramref name="definition"/>: all of them when null.</summary>
    public IReadOnlyList<string> ResolveChannels(HubCallerContext context, DatabaseDefinition definition, string? channel)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (channel is null)
        {
            return definition.Channels;
        }

        RequireWellFormedChannel(context, channel);
        if (!definition.AllowsChannel(channel))
        {
            throw Refuse(context, Refusals.Reasons.ChannelNotAllowed, Refusals.ChannelNotAllowed(definition.Name, channel));
        }

        return [channel];
    }

    /// <summary>Refuses a database name that is missing or cannot be a PostgreSQL name.</summary>
    public void RequireWellFormedDatabase(HubCallerContext context, string? database)
    {
        if (string.IsNullOrEmpty(database))
        {
            throw Refuse(context, Refusals.Reasons.DatabaseNotAvailable, Refusals.DatabaseRequired());
        }

        if (!PostgresNames.FitsIdentifier(database))
        {
            throw Refuse(context, Refusals.Reasons.DatabaseNotAvailable, Refusals.DatabaseTooLong());
        }
    }

    /// <summary>Refuses a channel name that is empty or cannot be a PostgreSQL name.</summary>
    public void RequireWellFormedChannel(HubCallerContext context, string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.Length == 0)
        {
            throw Refuse(context, Refusals.Reasons.ChannelNotAllowed, Refusals.ChannelEmpty());
        }

        if (!PostgresNames.FitsIdentifier(channel))
        {
            throw Refuse(context, Refusals.Reasons.ChannelNotAllowed, Refusals.ChannelTooLong());
        }
    }

    /// <summary>Logs a refusal with the caller's identity and returns the error to throw.</summary>
    public HubException Refuse(HubCallerContext context, string reason, HubException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        refusals.Refused(context, reason, error.Message);
        metrics.Rejected(reason);
        return error;
    }
}
