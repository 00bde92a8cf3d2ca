using System.Text;
using Hub.Server.Contracts;
using Hub.Server.Scaling;

namespace Hub.Tests.Scaling;

/// <summary>
/// The envelope channel's wire format: what a leader encodes comes back as the same envelope, sequence, epoch and
/// leader on every instance, and a message that is not one is refused with a reason instead of delivered.
/// </summary>
public sealed class ChannelMessageCodecTests
{
    private static readonly DateTime At = new(2026, 12, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    public static TheoryData<Envelope> Envelopes => new()
    {
        new NotificationEnvelope("app", "events", "{\"id\":1, \"name\":\"Zoë ✓ 𝄞\"}", 4242, At),
        new NotificationEnvelope("App", "Events", string.Empty, 1, At, "7:00000001/0000A0|12"),
        new ResyncEnvelope("app", ResyncReasons.ListenerFailover, At, At.AddSeconds(3)),
    };

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void An_envelope_comes_back_as_it_was_published(Envelope envelope)
    {
        var database = envelope is NotificationEnvelope n ? n.Database : ((ResyncEnvelope)envelope).Database;
        var message = Decode(123456789012, ChannelMessageCodec.EncodeBody(database, 987654321, "hub1", envelope, null));

        Assert.Equal(new ChannelMessage(database, 123456789012, "run-1", 987654321, "hub1", envelope, null), message);
        Assert.False(message.IsHeartbeat);
        var times = message.Envelope switch
        {
            NotificationEnvelope notification => new[] { notification.ReceivedAt },
            ResyncEnvelope resync => new[] { resync.Since, resync.Until },
            _ => Array.Empty<DateTime>(),
        };
        Assert.All(times, static time => Assert.Equal(DateTimeKind.Utc, time.Kind));
    }

    [Fact]
    public void A_heartbeat_carries_the_last_sequence_number_and_the_last_notification_time()
    {
        var message = Decode(17, ChannelMessageCodec.EncodeBody("app", 5, "hub2", null, At));

        Assert.True(message.IsHeartbeat);
        Assert.Equal(("app", 17L, "run-1", 5L, "hub2", (DateTime?)At), (message.Database, message.Sequence, message.Incarnation, message.Epoch, message.Leader, message.LastNotificationAt));
        Assert.Null(Decode(0, ChannelMessageCodec.EncodeBody("app", 5, "hub2", null, null)).LastNotificationAt);
    }

    [Theory]
    [InlineData("", "no sequence number")]
    [InlineData("{\"k\":\"h\"}", "no sequence number")]
    [InlineData("12|{}", "no sequence number")]
    [InlineData("12x:run|{}", "no sequence number")]
    [InlineData("12:run|not json", "")]
    [InlineData("12:run|{\"k\":\"n\",\"db\":\"app\",\"e\":1,\"l\":\"x\"}", "")]
    [InlineData("12:run|{\"k\":\"q\",\"db\":\"app\",\"e\":1,\"l\":\"x\"}", "unknown kind 'q'")]
    public void A_message_that_is_not_one_is_refused_with_a_reason(string text, string reason)
    {
        Assert.Null(ChannelMessageCodec.Decode(Encoding.UTF8.GetBytes(text), out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static ChannelMessage Decode(long sequence, byte[] body)
    {
        // What the publish script sends: the number Redis gave, the sequence's incarnation, a bar, the body.
        var message = ChannelMessageCodec.Decode([.. Encoding.ASCII.GetBytes($"{sequence}:run-1|"), .. body], out var error);
        Assert.True(message is not null, error);
        return message;
    }
}
