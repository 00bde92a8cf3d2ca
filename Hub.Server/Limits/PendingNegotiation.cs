namespace Hub.Server.Limits;

/// <summary>
/// One negotiation counted by <see cref="PendingNegotiations"/>: admitted, then waiting for its connection to arrive
/// until it connects or times out.
/// </summary>
public sealed class PendingNegotiation
{
    internal PendingNegotiation(string? userKey, string addressKey, long expiresAt)
    {
        UserKey = userKey;
        AddressKey = addressKey;
        ExpiresAt = expiresAt;
    }

    /// <summary>The key the user is counted under, or null for an anonymous caller.</summary>
    internal string? UserKey { get; }

    /// <summary>The key the remote address is counted under.</summary>
    internal string AddressKey { get; }

    /// <summary>When it stops counting if its connection never arrives (a <see cref="TimeProvider"/> timestamp).</summary>
    internal long ExpiresAt { get; }

    /// <summary>The connection ids the negotiation handed out, once it has.</summary>
    internal string[] ConnectionIds { get; set; } = [];

    /// <summary>Its place in the age order, while it counts.</summary>
    internal LinkedListNode<PendingNegotiation>? Node { get; set; }
}
