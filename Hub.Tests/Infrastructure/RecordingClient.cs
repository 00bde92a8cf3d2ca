using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A plain SignalR client (no Hub.Client library) that records what the hub sends it.
/// </summary>
public sealed class RecordingClient : IAsyncDisposable
{
    private readonly Channel<Hub.Client.HubNotification> _notifications = Channel.CreateUnbounded<Hub.Client.HubNotification>();
    private readonly Channel<Hub.Client.HubResync> _resyncs = Channel.CreateUnbounded<Hub.Client.HubResync>();

    private RecordingClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<Hub.Client.HubNotification>("notification", n => _notifications.Writer.TryWrite(n));
        connection.On<Hub.Client.HubResync>("resync", r => _resyncs.Writer.TryWrite(r));
    }

    public HubConnection Connection { get; }

    public static async Task<RecordingClient> ConnectAsync(Uri hubUrl, bool messagePack = false, string? accessToken = null, bool skipNegotiation = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(hubUrl, http =>
        {
            if (skipNegotiation)
            {
                http.SkipNegotiation = true;
                http.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
            }

            if (accessToken is not null)
            {
                http.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            }
        });
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var client = new RecordingClient(builder.Build());
        await client.Connection.StartAsync();
        return client;
    }

    public Task<string[]> SubscribeAsync(string? database, string? channel)
        => Connection.InvokeAsync<string[]>("Subscribe", database, channel);

    public Task PublishAsync(string? database, string? channel, string? payload)
        => Connection.InvokeAsync("Publish", database, channel, payload);

    public Task UnsubscribeAsync(string? database, string? channel)
        => Connection.InvokeAsync("Unsubscribe", database, channel);

    public async Task<Hub.Client.HubNotification> NextNotificationAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _notifications.Reader.ReadAsync(cts.Token);
    }

    public async Task<List<Hub.Client.HubNotification>> NotificationsAsync(int count, TimeSpan? timeout = null)
    {
        var received = new List<Hub.Client.HubNotification>(count);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (received.Count < count)
        {
            received.Add(await _notifications.Reader.ReadAsync(cts.Token));
        }

        return received;
    }

    /// <summary>Whether any notification arrives within <paramref name="window"/>.</summary>
    public async Task<bool> ReceivesAnythingWithinAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            return await _notifications.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task<Hub.Client.HubResync> NextResyncAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await _resyncs.Reader.ReadAsync(cts.Token);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
