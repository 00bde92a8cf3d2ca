using System.Net.WebSockets;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Delivery;

public sealed class WebSocketCompressionTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Hub_does_not_negotiate_compression_even_when_the_client_asks()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        var url = new UriBuilder(scenario.Hub.HubUrl) { Scheme = "ws" }.Uri;

        await socket.ConnectAsync(url, CancellationToken.None);

        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.NotNull(socket.HttpResponseHeaders);
        Assert.DoesNotContain(socket.HttpResponseHeaders, h => h.Key.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase));
    }
}
