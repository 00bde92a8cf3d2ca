using Hub.Server.Contracts;
using Hub.Server.Streams;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Streams;

public sealed class NotificationFrameTests
{
    public static TheoryData<string> Protocols => new() { "json", "messagepack" };

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Reads_the_envelope_fields_of_a_serialized_notification(string protocol)
    {
        var envelope = new NotificationEnvelope("app", "events", "\"position\":\"1fake\" \u00a8position", 12, DateTime.UtcNow, new StreamPosition(7, 8, 9).ToString());

        var bytes = Serialize(protocol, ClientMethods.Notification, envelope);

        Assert.True(NotificationFrame.TryRead(bytes, out var frame));
        Assert.Equal(new NotificationFrame("app", "events", envelope.Position), frame);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void A_resync_is_not_a_notification(string protocol)
    {
        var bytes = Serialize(protocol, ClientMethods.Resync, new ResyncEnvelope("app", ResyncReasons.HistoryUnavailable, DateTime.UtcNow, DateTime.UtcNow));

        Assert.False(NotificationFrame.TryRead(bytes, out _));
    }

    private static byte[] Serialize(string protocol, string method, object argument)
    {
        IHubProtocol hubProtocol = protocol == "json"
            ? new JsonHubProtocol()
            : new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions()));
        return hubProtocol.GetMessageBytes(new InvocationMessage(method, [argument])).ToArray();
    }
}
