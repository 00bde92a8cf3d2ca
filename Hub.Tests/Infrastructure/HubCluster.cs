using System.Globalization;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The scaled-out topology on loopback: a fresh database on the shared PostgreSQL (channels 'events' and 'other'),
/// one redis-server, several Hub.Server processes sharing it as their backplane, and nginx in front of them.
/// </summary>
public sealed class HubCluster : IAsyncDisposable
{
    private HubCluster(PostgresServer postgres, string database, RedisServer redis, IReadOnlyList<HubProcess> instances, NginxServer nginx)
    {
        Postgres = postgres;
        Database = database;
        Redis = redis;
        Instances = instances;
        Nginx = nginx;
    }

    public PostgresServer Postgres { get; }

    public string Database { get; }

    public string ConnectionString => Postgres.ConnectionString(Database);

    public RedisServer Redis { get; }

    public IReadOnlyList<HubProcess> Instances { get; }

    public NginxServer Nginx { get; }

    public static async Task<HubCluster> StartAsync(PostgresServer postgres, int instances = 3)
    {
        var database = await postgres.CreateUniqueDatabaseAsync("scale");
        var redis = await RedisServer.StartAsync();
        var settings = HubHost.SettingsFor(database, postgres.ConnectionString(database), "events", "other");
        settings["Hub:Redis"] = redis.Configuration;
        // A prefix of its own per cluster, as separate deployments sharing one Redis would have.
        settings["Hub:ScaleOut:ChannelPrefix"] = $"test-{database}";
        settings["Hub:ScaleOut:StandbyLockWait"] = "00:00:02";
        var starting = Enumerable.Range(1, instances)
            .Select(i => HubProcess.StartAsync(string.Create(CultureInfo.InvariantCulture, $"hub{i}"), settings))
            .ToArray();
        try
        {
            var started = await Task.WhenAll(starting);
            var nginx = await NginxServer.StartAsync(started.Select(static hub => hub.Port));
            return new HubCluster(postgres, database, redis, started, nginx);
        }
        catch
        {
            // Leave no server behind when the cluster could not start as a whole.
            foreach (var hub in starting.Where(static t => t.IsCompletedSuccessfully).Select(static t => t.Result))
            {
                await hub.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until exactly one live instance listens to the database and every other one with subscribers is a standby.</summary>
    public async Task<HubProcess> SettledListenerAsync(IEnumerable<HubProcess>? among = null, TimeSpan? timeout = null)
    {
        var candidates = (among ?? Instances).Where(static hub => !hub.HasExited).ToArray();
        HubProcess? listener = null;
        await Eventually.TrueAsync(async () =>
        {
            var states = await Task.WhenAll(candidates.Select(hub => hub.StateOfAsync(Database)));
            var listening = candidates.Where((_, i) => states[i] == "listening").ToArray();
            listener = listening.Length == 1 ? listening[0] : null;
            return listener is not null && states.All(static s => s is "listening" or "standby" or "idle");
        }, timeout ?? TimeSpan.FromSeconds(15), "exactly one instance should listen to the database");
        return listener!;
    }

    /// <summary>The listener connections of the database in pg_stat_activity: (listening, standby).</summary>
    public async Task<(int Listening, int Standby)> ListenerConnectionsAsync()
    {
        var admin = Postgres.ConnectionString();
        var listening = await Infrastructure.Postgres.ListenerPidsAsync(admin, Database);
        var standby = await Infrastructure.Postgres.ListenerPidsAsync(admin, Database,
            Hub.Server.Listening.ListenerConnection.DefaultApplicationName + Hub.Server.Scaling.AdvisoryLockLeadership.StandbySuffix);
        return (listening.Length, standby.Length);
    }

    /// <summary>The backends holding the database's listener lock.</summary>
    public Task<int[]> LockHoldersAsync()
        => AdvisoryLocks.HoldersAsync(Postgres.ConnectionString(), Database, Hub.Server.Scaling.AdvisoryLockKeys.ForListener(Database));

    public string Logs() => string.Join(Environment.NewLine, Instances.Select(static hub => $"--- {hub.InstanceId}:{Environment.NewLine}{hub.Output}"))
        + $"{Environment.NewLine}--- nginx:{Environment.NewLine}{Nginx.ErrorLog}";

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        foreach (var instance in Instances)
        {
            await instance.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
