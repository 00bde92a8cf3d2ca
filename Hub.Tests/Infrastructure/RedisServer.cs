using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A throwaway redis-server on a free loopback port, without persistence. It can be stopped and started again on
/// the same port, as an outage would look to the hub.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _root;
    private ChildProcess? _process;

    private RedisServer(string root, int port)
    {
        _root = root;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(Directory.CreateTempSubdirectory("hub-tests-redis-").FullName, FreePort.Next());
        await server.StartServerAsync();
        return server;
    }

    public async Task StartServerAsync()
    {
        _process = ChildProcess.Start("redis", "redis-server",
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", _root, "--protected-mode", "yes",
        ]);
        await Eventually.TrueAsync(CanConnectAsync, TimeSpan.FromSeconds(10), $"redis-server did not come up on port {Port}: {_process.Output}");
    }

    /// <summary>Kills the server (SIGKILL): clients see their connections drop.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<bool> CanConnectAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
