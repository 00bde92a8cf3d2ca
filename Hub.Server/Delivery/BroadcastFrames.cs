using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hub.Server.Delivery;

/// <summary>
/// The frames of one broadcast: the hub message serialized and framed once per protocol, on first use, and then
/// the same bytes for every connection that speaks that protocol. A hub has two protocols (JSON and MessagePack),
/// so two slots; a third protocol would be framed per recipient, which is correct, only slower.
/// </summary>
internal struct BroadcastFrames(HubMessage message)
{
    private IHubProtocol? _first;
    private OutgoingFrame _firstFrame;
    private IHubProtocol? _second;
    private OutgoingFrame _secondFrame;

    public OutgoingFrame For(IHubProtocol protocol)
    {
        if (ReferenceEquals(protocol, _first))
        {
            return _firstFrame;
        }

        if (ReferenceEquals(protocol, _second))
        {
            return _secondFrame;
        }

        var frame = WebSocketFrames.DataFrame(protocol.GetMessageBytes(message).Span, protocol.TransferFormat);
        if (_first is null)
        {
            (_first, _firstFrame) = (protocol, frame);
        }
        else if (_second is null)
        {
            (_second, _secondFrame) = (protocol, frame);
        }

        return frame;
    }
}
