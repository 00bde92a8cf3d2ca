using Hub.Server.Telemetry;

namespace Hub.Server.Limits;

/// <summary>The names of <see cref="NegotiationLimit"/> values in metrics.</summary>
public static class NegotiationLimitNames
{
    /// <summary>
    /// A negotiation or new connection refused during a call-rate cool-down (<see cref="LimitOptions.CallRateCooldown"/>),
    /// counted with the negotiation limits' refusals.
    /// </summary>
    public const string Cooldown = "cooldown";

    /// <summary>The name of <paramref name="limit"/>.</summary>
    public static string Of(NegotiationLimit limit) => limit switch
    {
        NegotiationLimit.User => HubDiagnostics.NegotiationLimits.User,
        NegotiationLimit.Address => HubDiagnostics.NegotiationLimits.Address,
        _ => HubDiagnostics.NegotiationLimits.Hub,
    };
}
