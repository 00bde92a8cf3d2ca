using System.Globalization;
using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// nginx on a free loopback port with the repository's nginx/nginx.conf, rendered by scripts/nginx-conf.sh for
/// the given upstream ports: the same file docker-compose.yml mounts.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly string _root;
    private readonly ChildProcess _process;

    private NginxServer(string root, int port, ChildProcess process)
    {
        _root = root;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public Uri HubUrl => new(BaseUrl, "/hubs/notifications");

    /// <summary>Starts nginx for <paramref name="upstreamPorts"/>; <paramref name="edit"/> changes the rendered configuration first.</summary>
    public static async Task<NginxServer> StartAsync(IEnumerable<int> upstreamPorts, Func<string, string>? edit = null)
    {
        var root = Directory.CreateTempSubdirectory("hub-tests-nginx-").FullName;
        var port = FreePort.Next();
        var configuration = await ExternalProcess.RunAsync("bash",
        [
            RepositoryFiles.PathOf("scripts", "nginx-conf.sh"), port.ToString(CultureInfo.InvariantCulture), root,
            .. upstreamPorts.Select(static p => p.ToString(CultureInfo.InvariantCulture)),
        ]);
        var file = Path.Combine(root, "nginx.conf");
        await File.WriteAllTextAsync(file, edit is null ? configuration : edit(configuration));
        var process = ChildProcess.Start("nginx", "nginx",
            ["-e", "stderr", "-p", root, "-c", file, "-g", $"daemon off; pid {Path.Combine(root, "nginx.pid")};"]);
        var server = new NginxServer(root, port, process);
        try
        {
            await Eventually.TrueAsync(() => FreePort.IsListeningAsync(server.Port), TimeSpan.FromSeconds(10), $"nginx did not come up: {process.Output}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public string AccessLog => File.Exists(Path.Combine(_root, "access.log")) ? File.ReadAllText(Path.Combine(_root, "access.log")) : string.Empty;

    public string ErrorLog => File.Exists(Path.Combine(_root, "error.log")) ? File.ReadAllText(Path.Combine(_root, "error.log")) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        // SIGTERM, not SIGKILL: the master stops its workers, which would otherwise keep the port.
        await _process.TerminateAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Only logs are left behind in a temporary folder.
        }
    }
}
