using Hub.Server.Contracts;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hub.Server.Delivery;

/// <summary>
/// The broadcast fast path of this instance: an envelope serialized and framed once per protocol, and the same bytes
/// handed to the <see cref="ConnectionWriter"/> of every member of its group in <see cref="LocalGroups"/>. Nothing is
/// serialized, framed, copied or awaited per recipient; a writer that is busy queues the frame and writes its backlog
/// in one batch.
/// </summary>
public sealed class LocalBroadcast(LocalGroups groups)
{
    /// <summary>Sends <paramref name="envelope"/> to this instance's members of its group; returns how many there were.</summary>
    public int Send(Envelope envelope) => Send(envelope, except: null);

    /// <summary>
    /// Sends <paramref name="envelope"/> to this instance's members of its group but those whose connection id
    /// <paramref name="except"/> holds; returns how many got it.
    /// </summary>
    public int Send(Envelope envelope, IReadOnlySet<string>? except)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (groups.MembersOf(envelope.Group()) is not { Length: > 0 } members)
        {
            return 0;
        }

        var frames = new BroadcastFrames(new InvocationMessage(envelope.ClientMethod(), [envelope]));
        var sent = 0;
        foreach (var member in members)
        {
            if (member.Protocol is { } protocol && except?.Contains(member.ConnectionId) != true)
            {
                member.Send(frames.For(protocol));
                sent++;
            }
        }

        return sent;
    }

    /// <summary>Whether any connection of this instance is in <paramref name="group"/>.</summary>
    public bool HasMembers(string group) => groups.MembersOf(group).Length > 0;
}
