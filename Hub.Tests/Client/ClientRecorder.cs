using System.Threading.Channels;
using Hub.Client;

namespace Hub.Tests.Client;

/// <summary>A started <see cref="NotificationHubClient"/> whose events are recorded, to wait on in order.</summary>
public sealed class ClientRecorder : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly Channel<HubNotification> _notifications = Channel.CreateUnbounded<HubNotification>();
    private readonly Channel<HubResync> _resyncs = Channel.CreateUnbounded<HubResync>();
    private readonly Channel<string> _resubscribeFailures = Channel.CreateUnbounded<string>();
    private int _resyncCount;

    private ClientRecorder(NotificationHubClient client)
    {
        Client = client;
        client.Notification += n => _notifications.Writer.TryWrite(n);
        client.Resync += r =>
        {
            Interlocked.Increment(ref _resyncCount);
            _resyncs.Writer.TryWrite(r);
        };
        client.ResubscribeFailed += (database, _) => _resubscribeFailures.Writer.TryWrite(database);
    }

    public NotificationHubClient Client { get; }

    /// <summary>How many resyncs the client raised so far, read or not.</summary>
    public int ResyncCount => Volatile.Read(ref _resyncCount);

    /// <summary>Creates the client; <paramref name="prepare"/> may add handlers before it starts.</summary>
    public static async Task<ClientRecorder> StartAsync(NotificationHubClientOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, Action<NotificationHubClient>? prepare = null)
    {
        var client = new NotificationHubClient(options, loggerFactory);
        prepare?.Invoke(client);
        var recorder = new ClientRecorder(client);
        await client.StartAsync(TestContext.Current.CancellationToken);
        return recorder;
    }

    public Task<HubNotification> NextNotificationAsync() => NextAsync(_notifications);

    public Task<HubResync> NextResyncAsync() => NextAsync(_resyncs);

    public Task<string> NextResubscribeFailureAsync() => NextAsync(_resubscribeFailures);

    /// <summary>The notifications up to and including the first with <paramref name="payload"/>.</summary>
    public async Task<List<HubNotification>> NotificationsUntilAsync(string payload)
    {
        var received = new List<HubNotification>();
        do
        {
            received.Add(await NextNotificationAsync());
        }
        while (received[^1].Payload != payload);
        return received;
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private static async Task<T> NextAsync<T>(Channel<T> channel)
        => await channel.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(DefaultTimeout, TestContext.Current.CancellationToken);
}
