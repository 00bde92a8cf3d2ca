using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Hub.Client;

/// <summary>
/// The enumerations of <see cref="NotificationHubClient.ReadAllAsync"/> running now: each gets every notification
/// written while it runs; nothing is buffered for nobody.
/// </summary>
internal sealed class NotificationReaders
{
    private readonly Lock _gate = new();
    private readonly List<ChannelWriter<HubNotification>> _readers = [];

    /// <summary>Hands <paramref name="notification"/> to every enumeration running now.</summary>
    public void Write(HubNotification notification)
    {
        lock (_gate)
        {
            foreach (var reader in _readers)
            {
                reader.TryWrite(notification);
            }
        }
    }

    /// <summary>The notifications written from now until <paramref name="cancellationToken"/> is cancelled, in order.</summary>
    public async IAsyncEnumerable<HubNotification> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<HubNotification>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_gate)
        {
            _readers.Add(channel.Writer);
        }

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var notification))
                {
                    yield return notification;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers.Remove(channel.Writer);
            }
        }
    }
}
