namespace Hub.Server.Limits;

/// <summary>Which limit refused a negotiation, if any.</summary>
public enum NegotiationLimit
{
    /// <summary>None: the negotiation was admitted.</summary>
    None,

    /// <summary><see cref="LimitOptions.PendingNegotiationsPerUser"/>.</summary>
    User,

    /// <summary><see cref="LimitOptions.PendingNegotiationsPerAddress"/>.</summary>
    Address,

    /// <summary><see cref="LimitOptions.MaxPendingNegotiations"/>.</summary>
    Hub,
}
