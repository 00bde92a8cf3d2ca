using Hub.Server.Contracts;
using Hub.Server.Telemetry;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Ends a connection's pending negotiation and enforces the per-user connection limit when the connection opens and the per-connection call rate on every
/// hub call, before the hub method runs. A connection that keeps calling faster than it may is closed.
/// </summary>
public sealed class HubLimitsFilter(
    UserConnections users,
    PendingNegotiations negotiations,
    RefusalLog refusals,
    CallRateCooldowns cooldowns,
    IOptions<LimitOptions> options,
    HubMetrics metrics,
    TimeProvider time,
    ILogger<HubLimitsFilter> logger) : IHubFilter
{
    private static readonly object LimiterKey = new();
    private static readonly object StrikesKey = new();
    private static readonly object CountedUserKey = new();
    private static readonly object RefusedKey = new();
    private readonly LimitOptions _options = options.Value;

    /// <inheritdoc />
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var caller = context.Context;
        // Connected, whatever comes next: its negotiation no longer counts as pending.
        negotiations.Connected(caller.ConnectionId);
        if (caller.UserIdentifier is { } userId)
        {
            if (!users.TryAdd(userId, _options.ConnectionsPerUser))
            {
                LimitsLog.TooManyConnections(logger, caller.ConnectionId, userId, _options.ConnectionsPerUser);
                caller.Items[RefusedKey] = true;
                metrics.Rejected(Refusals.Reasons.LimitExceeded);
                // SignalR closes the connection and sends this message to the client.
                throw Refusals.TooManyConnections(_options.ConnectionsPerUser);
            }

            caller.Items[CountedUserKey] = userId;
        }

        caller.Items[LimiterKey] = new CallRateBucket(_options.CallBurst, _options.CallsPerSecond, time);
        caller.Items[StrikesKey] = new WindowCounter(_options.RateLimitedCallsWindow, time);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            caller.Items[RefusedKey] = true;
            if (caller.UserIdentifier is { } counted)
            {
                caller.Items.Remove(CountedUserKey);
                users.Remove(counted);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        var caller = invocationContext.Context;
        if (caller.Items.TryGetValue(LimiterKey, out var item) && item is CallRateBucket bucket)
        {
            if (!bucket.TryTake())
            {
                var error = Refusals.CallRateExceeded(_options.CallsPerSecond);
                refusals.Refused(caller, Refusals.Reasons.LimitExceeded, error.Message);
                metrics.Rejected(Refusals.Reasons.LimitExceeded);
                CloseIfFlooding(caller);
                // Handed back unthrown: SignalR's dispatcher, which turns it into the call's error, throws it once
                // when it awaits the call; throwing it here too would only pay for the stack trace again.
                return ValueTask.FromException<object?>(error);
            }
        }

        // No state machine of its own for the calls it lets through.
        return next(invocationContext);
    }

    /// <inheritdoc />
    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var caller = context.Context;
        try
        {
            // A refused connection never reached the hub's OnConnectedAsync, so the hub must not see it leave either.
            if (!caller.Items.ContainsKey(RefusedKey))
            {
                await next(context, exception).ConfigureAwait(false);
            }
        }
        finally
        {
            refusals.ConnectionClosed(caller);
            if (caller.Items.TryGetValue(CountedUserKey, out var userId) && userId is string counted)
            {
                users.Remove(counted);
            }
        }
    }

    // Refusing costs little, but not nothing: a client that ignores refusals and keeps calling is cut off, and its
    // user (or address) may not connect again for the cool-down, so that it cannot make the hub pay for a handshake and
    // another burst in a loop.
    private void CloseIfFlooding(HubCallerContext caller)
    {
        if (_options.RateLimitedCallsBeforeClose == 0 || !caller.Items.TryGetValue(StrikesKey, out var item) || item is not WindowCounter strikes)
        {
            return;
        }

        var (inWindow, _) = strikes.Increment();
        if (inWindow == _options.RateLimitedCallsBeforeClose)
        {
            var key = CallRateCooldowns.KeyOf(caller.UserIdentifier, NegotiationAddress.KeyOf(caller.GetHttpContext()?.Connection.RemoteIpAddress));
            LimitsLog.ClosedForCallRate(logger, caller.ConnectionId, caller.UserIdentifier ?? "anonymous", inWindow, _options.RateLimitedCallsWindow, key, _options.CallRateCooldown);
            cooldowns.Start(key);
            caller.Abort();
        }
    }
}
