using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Security;

/// <summary>
/// Logs a hub method's failure that is not a refusal, once, since SignalR's own error entry for it is filtered out
/// (<see cref="DispatcherErrorLogFilter"/>). A refusal (<see cref="HubException"/>) has been logged where it was
/// decided, within the connection's budget.
/// </summary>
internal sealed class HubFailureLogFilter(ILogger<HubFailureLogFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not HubException)
        {
            SecurityLog.HubMethodFailed(logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ex);
            throw;
        }
    }
}
