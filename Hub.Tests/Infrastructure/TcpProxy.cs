using System.Net;
using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy that can silently stop forwarding, as a dropped network does: no FIN, no RST,
/// bytes just stop arriving. Only a keepalive notices that. It can also stop reading from the server for a while,
/// as a client that stopped reading does, so that the server's socket fills up. And it can send new connections to
/// another server, as a load balancer that takes an instance out of rotation does.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private volatile int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private volatile bool _blackholed;
    private volatile TaskCompletionSource _serverReads = Completed();
    private Task _accepting = Task.CompletedTask;
    private long _bytesFromClients;

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The bytes clients have sent towards the server so far, on every connection (pings included).</summary>
    public long BytesFromClients => Interlocked.Read(ref _bytesFromClients);

    /// <summary>Stops forwarding in both directions on every connection, old and new, without closing any.</summary>
    public void Blackhole() => _blackholed = true;

    /// <summary>Forwards again on new connections; the blackholed ones stay dead, as after a real outage.</summary>
    public void Restore() => _blackholed = false;

    /// <summary>Sends connections accepted from now on to <paramref name="targetPort"/>; the open ones stay where they are.</summary>
    public void Retarget(int targetPort) => _targetPort = targetPort;

    /// <summary>Stops reading what the server sends, on every connection, until <see cref="ResumeServerReads"/>.</summary>
    public void PauseServerReads() => _serverReads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads and forwards what the server sent again, including what waited meanwhile.</summary>
    public void ResumeServerReads() => _serverReads.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            // A small receive buffer, so that a pause fills the server's socket soon.
            var outbound = new TcpClient { ReceiveBufferSize = 4096 };
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            if (_blackholed)
            {
                // Accept but never connect onwards: the client's connect hangs until its own timeout.
                continue;
            }

            await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            _ = PumpAsync(inbound.GetStream(), outbound.GetStream(), fromServer: false);
            _ = PumpAsync(outbound.GetStream(), inbound.GetStream(), fromServer: true);
        }
    }

    private static TaskCompletionSource Completed()
    {
        var completed = new TaskCompletionSource();
        completed.SetResult();
        return completed;
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool fromServer)
    {
        var buffer = new byte[16 * 1024];
        var wasBlackholed = false;
        try
        {
            while (true)
            {
                if (fromServer)
                {
                    await _serverReads.Task.WaitAsync(_stop.Token);
                }

                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                // Once a connection has been blackholed it never forwards again, like a route that went away.
                wasBlackholed |= _blackholed;
                if (!wasBlackholed)
                {
                    if (!fromServer)
                    {
                        Interlocked.Add(ref _bytesFromClients, read);
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Either side went away.
        }

        // A close or reset reaches the other side, unless the route is gone (then nothing does).
        if (!wasBlackholed && !_blackholed)
        {
            to.Close();
        }
    }
}
