using System.Buffers;
using System.Text;
using Hub.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Client;

/// <summary>
/// What counts as hearing from the hub for a lost connection's <c>client-reconnected</c> window: every message the
/// protocol parses, pings included, but not the hub's close message, which a closing connection may get after it
/// left its groups.
/// </summary>
public sealed class ReceiveStampingProtocolTests
{
    private const char Separator = '\u001e';
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));
    private readonly ReceiveClock _clock;
    private readonly ReceiveStampingProtocol _protocol;

    public ReceiveStampingProtocolTests()
    {
        _clock = new ReceiveClock(_time);
        _protocol = new ReceiveStampingProtocol(new JsonHubProtocol(), _clock);
    }

    [Fact]
    public void A_ping_counts_as_hearing_from_the_hub()
    {
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.IsType<PingMessage>(Parse("""{"type":6}"""));

        Assert.Equal(_time.GetUtcNow().UtcDateTime, _clock.Last);
    }

    [Fact]
    public void The_hubs_close_message_does_not()
    {
        var before = _clock.Last;
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.IsType<CloseMessage>(Parse("""{"type":7,"allowReconnect":true}"""));

        Assert.Equal(before, _clock.Last);
    }

    private HubMessage Parse(string json)
    {
        var input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json + Separator));
        Assert.True(_protocol.TryParseMessage(ref input, new NoInvocations(), out var message));
        return message;
    }

    private sealed class NoInvocations : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
