using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Logs refused hub calls, one line each, but only the first <see cref="LimitOptions.RefusalLogLines"/> of a
/// connection in each <see cref="LimitOptions.RefusalLogInterval"/>; the rest are counted and summed up in one
/// line when the next interval starts or the connection closes.
/// </summary>
/// <remarks>
/// A hostile client can make thousands of refused calls a second. Without a bound, each of them costs a log
/// line, and the log (disk, CPU, the collector behind it) becomes what the flood exhausts.
/// </remarks>
public sealed class RefusalLog(IOptions<LimitOptions> options, TimeProvider time, ILogger<RefusalLog> logger)
{
    private static readonly object CounterKey = new();
    private readonly LimitOptions _options = options.Value;

    /// <summary>Logs (or counts) one refused call of <paramref name="context"/>'s connection.</summary>
    public void Refused(HubCallerContext context, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var (inWindow, endedWindow) = CounterOf(context).Increment();
        LogUnlogged(context, endedWindow);
        if (inWindow <= _options.RefusalLogLines)
        {
            LimitsLog.CallRefused(logger, context.ConnectionId, context.UserIdentifier ?? "anonymous", reason, message);
        }
    }

    /// <summary>Logs how many refusals of the closing connection were counted but not logged.</summary>
    public void ConnectionClosed(HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(CounterKey, out var item) && item is WindowCounter counter)
        {
            LogUnlogged(context, counter.Current);
        }
    }

    private void LogUnlogged(HubCallerContext context, long counted)
    {
        var unlogged = counted - _options.RefusalLogLines;
        if (unlogged > 0)
        {
            LimitsLog.RefusalsNotLogged(logger, context.ConnectionId, context.UserIdentifier ?? "anonymous", unlogged, _options.RefusalLogInterval);
        }
    }

    private WindowCounter CounterOf(HubCallerContext context)
    {
        if (context.Items.TryGetValue(CounterKey, out var item) && item is WindowCounter counter)
        {
            return counter;
        }

        counter = new WindowCounter(_options.RefusalLogInterval, time);
        context.Items[CounterKey] = counter;
        return counter;
    }
}
