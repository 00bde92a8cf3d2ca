using System.Text;
using Hub.Testing.Wire;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Security;

/// <summary>
/// Text that is not valid Unicode, sent as raw hub protocol frames, is refused with the hub's payload message:
/// never published with U+FFFD in place of the bad bytes, never answered with a generic binding error.
/// </summary>
public sealed class InvalidTextTests(SharedPostgres postgres)
{
    private const string NotUnicode = "HubException: payload is not valid Unicode text";

    [Theory]
    [InlineData("61 FF FE 62")] // bytes that never occur in UTF-8
    [InlineData("ED A0 80")] // CESU-8: a surrogate encoded as if it were a character
    [InlineData("C0 80")] // an overlong NUL
    [InlineData("61 E2 82")] // a sequence cut short
    public async Task Invalid_utf8_over_messagepack_is_refused_and_valid_text_is_published_unchanged(string hex)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        await using var publisher = await ConnectRawAsync(hub, WireProtocol.MessagePack);

        var error = await Assert.ThrowsAsync<HubInvocationException>(
            () => publisher.InvokeVerbatimAsync("Publish", [Utf8(hub.Database), Utf8(HubFixture.Events), Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))], Cancel));
        await publisher.InvokeVerbatimAsync("Publish", [Utf8(hub.Database), Utf8(HubFixture.Events), Utf8("é😀 valid")], Cancel);

        Assert.EndsWith(NotUnicode, error.Message, StringComparison.Ordinal);
        Assert.Equal("é😀 valid", (await subscriber.NextNotificationAsync()).Payload); // the first to arrive: the refused one was never sent
    }

    [Theory]
    [InlineData(@"\ud800")] // a lone high surrogate
    [InlineData(@"a\udc00b")] // a lone low surrogate
    [InlineData(@"\ude00\ud83d")] // a pair in the wrong order
    public async Task Lone_surrogates_over_json_get_the_payload_message_and_valid_escapes_are_published_unchanged(string escaped)
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        var subscriber = await hub.ConnectAsync("reader");
        await subscriber.SubscribeAsync(hub.Database, HubFixture.Events);
        await using var publisher = await ConnectRawAsync(hub, WireProtocol.Json);

        var error = await Assert.ThrowsAsync<HubInvocationException>(
            () => publisher.InvokeVerbatimAsync("Publish", [Utf8(hub.Database), Utf8(HubFixture.Events), Utf8(escaped)], Cancel));
        await publisher.InvokeVerbatimAsync("Publish", [Utf8(hub.Database), Utf8(HubFixture.Events), Utf8(@"\u00e9\n\ud83d\ude00 \""\\\/ é")], Cancel);

        Assert.EndsWith(NotUnicode, error.Message, StringComparison.Ordinal);
        Assert.Equal("é\n😀 \"\\/ é", (await subscriber.NextNotificationAsync()).Payload);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_database_name_gets_the_uniform_refusal_and_the_connection_carries_on()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithTokens().StartAsync();
        await using var client = await ConnectRawAsync(hub, WireProtocol.MessagePack);

        var error = await Assert.ThrowsAsync<HubInvocationException>(
            () => client.InvokeVerbatimAsync("Subscribe", [[.. Utf8(hub.Database), 0xC0, 0x80], Utf8(HubFixture.Events)], Cancel));
        await client.SubscribeAsync(hub.Database, HubFixture.Events, Cancel);

        Assert.Contains("HubException: database '", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("' is not available", error.Message, StringComparison.Ordinal);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static Task<RawHubConnection> ConnectRawAsync(HubFixture hub, WireProtocol protocol)
    {
        var token = hub.Tokens.Create("raw-writer", ["*"], publish: ["*"]);
        return RawHubConnection.ConnectAsync(
            new Uri($"{hub.Hub.HubUrl}?access_token={Uri.EscapeDataString(token)}"), protocol, cancellationToken: TestContext.Current.CancellationToken);
    }
}
