using Npgsql;

namespace Hub.Testing;

/// <summary>
/// A throwaway PostgreSQL server: initdb into a temporary folder, started on a free loopback port,
/// removed on dispose. When the tests run as root it runs as the 'postgres' user, since initdb refuses root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _binDirectory;
    private readonly string _root;
    private readonly string _dataDirectory;
    private readonly bool _asPostgresUser;

    private PostgresServer(string binDirectory, string root, int port, bool asPostgresUser)
    {
        _binDirectory = binDirectory;
        _root = root;
        _dataDirectory = Path.Combine(root, "data");
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres")
        => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory();
        var root = Directory.CreateTempSubdirectory("hub-tests-pg-").FullName;
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await ExternalProcess.RunAsync("chown", ["postgres", root]);
        }

        var server = new PostgresServer(bin, root, FreePort.Next(), asPostgres);
        await server.RunToolAsync("initdb", ["-D", server._dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        await server.StartServerAsync();
        return server;
    }

    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<string> CreateUniqueDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..24];
        await CreateDatabaseAsync(name);
        return name;
    }

    /// <summary>Stops the server immediately (as a crash would) and starts it again on the same port.</summary>
    public async Task RestartAsync()
    {
        await RunToolAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
        await StartServerAsync();
    }

    public Task StopAsync() => RunToolAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);

    public Task StartServerAsync() => RunToolAsync("pg_ctl",
    [
        "-D", _dataDirectory, "-w", "-t", "60", "-l", Path.Combine(_root, "postgres.log"),
        "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        "start",
    ]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by a test.
        }

        Directory.Delete(_root, recursive: true);
    }

    private Task<string> RunToolAsync(string tool, string[] arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], TimeSpan.FromMinutes(2), _root)
            : ExternalProcess.RunAsync(path, arguments, TimeSpan.FromMinutes(2), _root);
    }

    private static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("HUB_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(static d => d, StringComparer.Ordinal).Select(static d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(static d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found: install postgresql or set HUB_PG_BIN.");
    }
}
