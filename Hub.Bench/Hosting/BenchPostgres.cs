using System.Net;
using System.Net.Sockets;

namespace Hub.Bench.Hosting;

/// <summary>
/// A throwaway PostgreSQL server for a bench run: initdb into a temporary folder, started on a free loopback
/// port with durability off (the bench measures the hub, not the disk), removed on dispose.
/// Runs as the 'postgres' user when the bench runs as root, since initdb refuses root.
/// </summary>
public sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asPostgresUser;

    private BenchPostgres(string bin, string root, int port, bool asPostgresUser)
    {
        _bin = bin;
        _root = root;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString(string database)
        => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=15";

    public static async Task<BenchPostgres> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("hub-bench-pg-").FullName;
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await ToolRunner.RunAsync("chown", ["postgres", root], root).ConfigureAwait(false);
        }

        var server = new BenchPostgres(FindBin(), root, FreePort(), asPostgres);
        var data = Path.Combine(root, "data");
        await server.RunAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]).ConfigureAwait(false);
        await server.RunAsync("pg_ctl",
        [
            "-D", data, "-w", "-t", "60", "-l", Path.Combine(root, "postgres.log"),
            "-o", $"-p {server.Port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ]).ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("pg_ctl", ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunAsync(string tool, string[] arguments)
    {
        var path = Path.Combine(_bin, tool);
        return _asPostgresUser
            ? ToolRunner.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], _root)
            : ToolRunner.RunAsync(path, arguments, _root);
    }

    private static string FindBin()
    {
        if (Environment.GetEnvironmentVariable("HUB_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(static d => d, StringComparer.Ordinal).Select(static d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(static d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found: install postgresql, set HUB_PG_BIN, or pass --connection-string.");
    }
}
