using Hub.Server.Telemetry;

namespace Hub.Server.Limits;

/// <summary>The names of <see cref="NegotiationLimit"/> values in metrics.</summary>
public static class NegotiationLimitNames
{
    /// <summary>The name of <paramref name="limit"/>.</summary>
    public static string Of(NegotiationLimit limit) => limit switch
    {
        NegotiationLimit.User => HubDiagnostics.NegotiationLimits.User,
        NegotiationLimit.Address => HubDiagnostics.NegotiationLimits.Address,
        _ => HubDiagnostics.NegotiationLimits.Hub,
    };
}
