using System.Text.Json;
using Hub.Server.Contracts;
using MessagePack;

namespace Hub.Tests.Contracts;

/// <summary>
/// The envelope hierarchy must not change what clients receive: each kind serializes to exactly its contract keys,
/// in JSON (SignalR's camelCase) and in MessagePack, and routes itself to its client method and group.
/// </summary>
public sealed class EnvelopeWireShapeTests
{
    private static readonly JsonSerializerOptions SignalRJson = new(JsonSerializerDefaults.Web);
    private static readonly Envelope Notification = new NotificationEnvelope("App", "Orders", "p", 42, new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), "position-1");
    private static readonly Envelope Resync = new ResyncEnvelope("App", ResyncReasons.ListenerReconnected, DateTime.UnixEpoch, DateTime.UnixEpoch.AddSeconds(1));

    public static TheoryData<string, string[]> Shapes => new()
    {
        { "notification", ["database", "channel", "payload", "processId", "receivedAt", "position"] },
        { "resync", ["database", "reason", "since", "until"] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Envelope_serializes_to_exactly_its_contract_keys_in_json_and_messagepack(string kind, string[] keys)
    {
        var envelope = kind == "notification" ? Notification : Resync;

        // SignalR serializes an argument by its runtime type, as here.
        var json = JsonSerializer.Serialize(envelope, envelope.GetType(), SignalRJson);
        var messagePack = MessagePackSerializer.ConvertToJson(
            MessagePackSerializer.Serialize(envelope.GetType(), envelope, cancellationToken: TestContext.Current.CancellationToken),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(keys, KeysOf(json));
        Assert.Equal(keys, KeysOf(messagePack));
    }

    [Fact]
    public void Envelope_names_its_client_method_and_group()
    {
        Assert.Equal(ClientMethods.Notification, Notification.ClientMethod());
        Assert.Equal(GroupNames.ForChannel("App", "Orders"), Notification.Group());
        Assert.Equal(ClientMethods.Resync, Resync.ClientMethod());
        Assert.Equal(GroupNames.ForDatabase("App"), Resync.Group());
    }

    private static string[] KeysOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Select(static p => p.Name)];
    }
}
