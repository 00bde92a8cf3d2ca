using Microsoft.Extensions.Options;

namespace Hub.Server.Limits;

/// <summary>
/// Logs refused negotiations (and connections refused during a call-rate cool-down), one line each, but only the first <see cref="LimitOptions.RefusalLogLines"/> in each
/// <see cref="LimitOptions.RefusalLogInterval"/> over the whole hub; the rest are counted and summed up in one line
/// when the next interval starts.
/// </summary>
/// <remarks>
/// A refused negotiation has no connection to keep a budget in (as <see cref="RefusalLog"/> does for calls), and a
/// flood of them comes from as many addresses as the sender likes: one budget for all keeps the log bounded.
/// </remarks>
public sealed class NegotiationRefusalLog(IOptions<LimitOptions> options, TimeProvider time, ILogger<NegotiationRefusalLog> logger)
{
    private readonly int _lines = options.Value.RefusalLogLines;
    private readonly TimeSpan _interval = options.Value.RefusalLogInterval;
    private readonly WindowCounter _counter = new(options.Value.RefusalLogInterval, time);

    /// <summary>Logs (or counts) one refused negotiation.</summary>
    public void Refused(string? user, string address, string message)
    {
        if (WithinBudget())
        {
            LimitsLog.NegotiationRefused(logger, user ?? "anonymous", address, message);
        }
    }

    /// <summary>Logs (or counts) one negotiation or connection refused during a call-rate cool-down (<see cref="CallRateCooldowns"/>).</summary>
    public void RefusedInCooldown(string? user, string address, string message)
    {
        if (WithinBudget())
        {
            LimitsLog.ConnectRefusedInCooldown(logger, user ?? "anonymous", address, message);
        }
    }

    // Counts one refusal and says whether it is logged; sums up the last interval's unlogged ones when it ended.
    private bool WithinBudget()
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return false;
        }

        var (inWindow, endedWindow) = _counter.Increment();
        if (endedWindow > _lines)
        {
            LimitsLog.NegotiationRefusalsNotLogged(logger, endedWindow - _lines, _interval);
        }

        return inWindow <= _lines;
    }
}
