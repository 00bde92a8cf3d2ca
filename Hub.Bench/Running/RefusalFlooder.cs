using System.Net.WebSockets;
using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>
/// One connection that makes refused calls as fast as the hub answers them, as a hostile client would, and
/// reconnects when the hub closes it for its call rate.
/// </summary>
public sealed class RefusalFlooder(Uri hubUrl, WireProtocol protocol)
{
    // After a failed connect: a hub that refuses connections must not be hammered by a loop of reconnects.
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(100);

    private long _refused;
    private long _accepted;
    private long _connected;
    private long _connectsFailed;
    private long _closed;

    /// <summary>Calls the hub refused.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Calls the hub accepted: none, unless it serves <see cref="FloodOptions.RefusedDatabase"/>.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections opened (each a WebSocket and SignalR handshake the hub paid for).</summary>
    public long Connected => Interlocked.Read(ref _connected);

    /// <summary>Connection attempts that failed: refused by the hub (429 during a cool-down) or not answered.</summary>
    public long ConnectsFailed => Interlocked.Read(ref _connectsFailed);

    /// <summary>Open connections the hub closed (for their call rate).</summary>
    public long Closed => Interlocked.Read(ref _closed);

    /// <summary>Floods until <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            RawHubConnection? connection = null;
            try
            {
                connection = await RawHubConnection.ConnectAsync(hubUrl, protocol, cancellationToken: stop).ConfigureAwait(false);
                Interlocked.Increment(ref _connected);
                while (true)
                {
                    try
                    {
                        await connection.SubscribeAsync(FloodOptions.RefusedDatabase, null, stop).ConfigureAwait(false);
                        Interlocked.Increment(ref _accepted);
                    }
                    catch (HubInvocationException)
                    {
                        Interlocked.Increment(ref _refused);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException)
            {
                if (connection is null)
                {
                    Interlocked.Increment(ref _connectsFailed);
                    await DelayAsync(stop).ConfigureAwait(false);
                }
                else
                {
                    Interlocked.Increment(ref _closed);
                }
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task DelayAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(ReconnectDelay, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop ends.
        }
    }
}
