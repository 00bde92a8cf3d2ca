using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hub.Server.Delivery;
using Hub.Server.Hubs;
using Hub.Server.Transport;
using Hub.Testing.Wire;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hub.Tests.Transport;

/// <summary>
/// The hub's WebSocket transport at the level of frames and sockets: what a raw WebSocket client sees.
/// </summary>
public sealed class WebSocketTransportTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    public async Task Each_notification_is_one_websocket_message_in_order(bool messagePack, bool negotiated, bool socketWrites)
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(s => s.Transport.SocketWrites = socketWrites).StartAsync();
        var token = negotiated ? await NegotiateAsync(scenario.Hub.BaseUrl) : null;
        using var client = await FrameClient.ConnectAsync(scenario.Hub.HubUrl, messagePack, connectionToken: token);
        await client.InvokeAsync("Subscribe", scenario.Database, HubFixture.Events);
        var completion = await client.ReceiveHubMessageAsync(static m => m.Type == 3, Wait);
        Assert.Null(completion.Error);
        var payloads = Enumerable.Range(0, 300).Select(i => $"n{i:D4}").ToArray();

        // Sent as fast as PostgreSQL delivers them, so the hub has a backlog to coalesce into fewer socket writes.
        await Postgres.NotifyManyAsync(scenario.DatabaseConnectionString, HubFixture.Events, payloads);

        var received = new List<string>();
        while (received.Count < payloads.Length)
        {
            // Parse asserts that the WebSocket message holds exactly one hub message.
            var message = await client.ReceiveHubMessageAsync(static m => m.Target == "notification", Wait);
            received.Add(message.Payload!);
        }

        Assert.Equal(payloads, received);
    }

    [Fact]
    public async Task Websocket_pings_are_answered_and_a_client_close_is_answered_and_ends_the_connection()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        var connections = scenario.Hub.Services.GetRequiredService<ConnectionCounter>();
        var heartbeat = scenario.Hub.Services.GetRequiredService<ConnectionHeartbeat>();
        // The client pings every 100 ms and aborts when a pong is 500 ms late.
        using var client = await FrameClient.ConnectAsync(scenario.Hub.HubUrl, messagePack: false, pingInterval: TimeSpan.FromMilliseconds(100));
        await client.InvokeAsync("Subscribe", scenario.Database, HubFixture.Events);
        await client.ReceiveHubMessageAsync(static m => m.Type == 3, Wait);
        await Eventually.TrueAsync(() => connections.Current == 1, Wait, "the hub never counted the connection");

        // Two seconds of pings: twenty pongs, none late, or the client would have aborted.
        var until = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < until)
        {
            await scenario.NotifyAsync(HubFixture.Events, "still there");
            await client.ReceiveHubMessageAsync(static m => m.Target == "notification", Wait);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(WebSocketState.Open, client.Socket.State);
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        var close = await client.ReceiveHubMessageAsync(static m => m.Type == -1, Wait);
        Assert.Equal(-1, close.Type);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
        await Eventually.TrueAsync(() => connections.Current == 0 && heartbeat.Count == 0, Wait, "the hub still holds the closed connection");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stopping_hub_sends_what_was_queued_then_a_close_message_that_allows_reconnecting(bool messagePack)
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var client = await FrameClient.ConnectAsync(scenario.Hub.HubUrl, messagePack);
        await client.InvokeAsync("Subscribe", scenario.Database, HubFixture.Events);
        await client.ReceiveHubMessageAsync(static m => m.Type == 3, Wait);
        await scenario.NotifyAsync(HubFixture.Events, "before the stop");
        await client.ReceiveHubMessageAsync(static m => m.Target == "notification", Wait);

        var stopping = scenario.Hub.StopAsync();

        var close = await client.ReceiveAsync(Wait);
        Assert.Equal(messagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text, close.Type);
        if (messagePack)
        {
            // [7, error (nil), allowReconnect (true)] after the one-byte length prefix.
            Assert.Equal(new byte[] { 0x04, 0x93, 0x07, 0xC0, 0xC3 }, close.Bytes);
        }
        else
        {
            Assert.Equal("{\"type\":7,\"allowReconnect\":true}\u001e", Encoding.UTF8.GetString(close.Bytes));
        }

        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting elsewhere", TestContext.Current.CancellationToken);
        await stopping.WaitAsync(Wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Message_over_the_maximum_closes_that_client_with_the_reason_and_others_carry_on()
    {
        await using var scenario = await HubFixture.For(postgres.Server).CaptureLogs().Configure(static s => s.Limits.MaximumReceiveMessageSize = 4096).StartAsync();
        using var other = await FrameClient.ConnectAsync(scenario.Hub.HubUrl, messagePack: true);
        await other.InvokeAsync("Subscribe", scenario.Database, HubFixture.Events);
        await other.ReceiveHubMessageAsync(static m => m.Type == 3, Wait);
        using var offender = await FrameClient.ConnectAsync(scenario.Hub.HubUrl, messagePack: false);

        await offender.InvokeAsync("Subscribe", scenario.Database, new string('x', 5000));

        // SignalR's close message (the reason is the hub's log line, not for the client), then the WebSocket close.
        var closing = await offender.ReceiveHubMessageAsync(static m => m.Type is 7 or -1, Wait);
        Assert.Equal(7, closing.Type);
        Assert.Contains("Connection closed with an error", closing.Error, StringComparison.Ordinal);
        var closed = await offender.ReceiveAsync(Wait);
        Assert.Equal(WebSocketMessageType.Close, closed.Type);
        Assert.Contains(scenario.Logs.Entries, static e => e.Text.Contains("maximum message size of 4096B was exceeded", StringComparison.Ordinal));

        await scenario.NotifyAsync(HubFixture.Events, "others carry on");
        Assert.Equal("others carry on", (await other.ReceiveHubMessageAsync(static m => m.Target == "notification", Wait)).Payload);
    }

    [Fact]
    public async Task A_transaction_larger_than_the_bound_reaches_a_client_that_keeps_reading()
    {
        // 190 notifications of 7.9 KB in one transaction: 1.5 MB, over the 1 MiB bound, all delivered at once.
        await using var scenario = await HubFixture.For(postgres.Server).CaptureLogs().StartAsync();
        var monitor = scenario.Hub.Services.GetRequiredService<SlowConsumerMonitor>();
        await using var reader = await RawHubConnection.ConnectAsync(scenario.Hub.HubUrl, WireProtocol.Json, cancellationToken: TestContext.Current.CancellationToken);
        await reader.SubscribeAsync(scenario.Database, HubFixture.Events, TestContext.Current.CancellationToken);
        var sink = new CountingSink();
        reader.Sink = sink;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reading = reader.RunAsync(stop.Token);

        await NotifyInOneTransactionAsync(scenario.DatabaseConnectionString, 190, 7900);

        await Eventually.TrueAsync(() => sink.Count >= 190, TimeSpan.FromSeconds(30), "the reader did not get the whole transaction");
        Assert.Equal(0, monitor.DisconnectedConnections);
        Assert.Equal(WebSocketState.Open, reader.State);
        Assert.DoesNotContain(scenario.Logs.Entries, static e => e.EventId.Name == "SlowConsumerDisconnected");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    [Fact]
    public async Task Negotiate_offers_websockets_only_and_server_sent_events_are_refused_by_default()
    {
        await using var scenario = await HubFixture.For(postgres.Server).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };

        using var negotiated = JsonDocument.Parse(await NegotiateResponseAsync(http));
        var transports = negotiated.RootElement.GetProperty("availableTransports").EnumerateArray().Select(static t => t.GetProperty("transport").GetString()!).ToArray();
        Assert.Equal(["WebSockets"], transports);

        // A client that insists on server-sent events gets no stream for the token it was given.
        var token = negotiated.RootElement.GetProperty("connectionToken").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hubs/notifications?id={token}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task With_fallback_transports_negotiate_offers_all_three_and_websockets_still_work()
    {
        await using var scenario = await HubFixture.For(postgres.Server).Configure(static s => s.Transport.FallbackTransports = true).StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };

        using var negotiated = JsonDocument.Parse(await NegotiateResponseAsync(http));
        var transports = negotiated.RootElement.GetProperty("availableTransports").EnumerateArray().Select(static t => t.GetProperty("transport").GetString()!).ToArray();
        Assert.Equal(["WebSockets", "ServerSentEvents", "LongPolling"], transports);

        var client = await scenario.SubscribedClientAsync();
        await scenario.NotifyAsync(HubFixture.Events, "over signalr's websocket");
        Assert.Equal("over signalr's websocket", (await client.NextNotificationAsync()).Payload);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_negotiated_connection_gets_the_connection_id_negotiate_answered_in_both_negotiate_versions(int version)
    {
        await using var scenario = await HubFixture.For(postgres.Server).CaptureLogs().StartAsync();
        using var http = new HttpClient { BaseAddress = scenario.Hub.BaseUrl };
        using var response = await http.PostAsync(new Uri($"/hubs/notifications/negotiate?negotiateVersion={version}", UriKind.Relative), null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        using var negotiated = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var answer = negotiated.RootElement;
        Assert.Equal(version, answer.GetProperty("negotiateVersion").GetInt32());
        var connectionId = answer.GetProperty("connectionId").GetString()!;

        // Version 0 has no token: its clients connect with the connection id itself.
        var id = version == 0 ? connectionId : answer.GetProperty("connectionToken").GetString()!;
        Assert.Equal(version == 1, answer.TryGetProperty("connectionToken", out _));
        using var client = await FrameClient.ConnectAsync(scenario.Hub.HubUrl, messagePack: false, connectionToken: id);
        await client.InvokeAsync("Subscribe", scenario.Database, HubFixture.Events);
        Assert.Null((await client.ReceiveHubMessageAsync(static m => m.Type == 3, Wait)).Error);

        var opened = scenario.Logs.Entries.Single(static e => e.EventId.Name == "WebSocketConnected");
        Assert.Equal($"Connection {connectionId} opened on the hub's WebSocket transport.", opened.Message);
    }

    private static async Task<string> NegotiateAsync(Uri baseUrl)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        using var negotiated = JsonDocument.Parse(await NegotiateResponseAsync(http));
        return negotiated.RootElement.GetProperty("connectionToken").GetString()!;
    }

    private static async Task<string> NegotiateResponseAsync(HttpClient http)
    {
        using var response = await http.PostAsync(new Uri("/hubs/notifications/negotiate?negotiateVersion=1", UriKind.Relative), null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static async Task NotifyInOneTransactionAsync(string connectionString, int count, int payloadLength)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection, transaction);
        command.Parameters.AddWithValue("channel", HubFixture.Events);
        var payload = command.Parameters.AddWithValue("payload", string.Empty);
        for (var i = 0; i < count; i++)
        {
            payload.Value = i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string('x', payloadLength - 6);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
    }

    private sealed class CountingSink : IHubMessageSink
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnNotification(ReadOnlySpan<byte> payload) => Interlocked.Increment(ref _count);

        public void OnResync()
        {
        }
    }
}
