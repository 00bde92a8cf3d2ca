using Hub.Server.Listening;
using Hub.Server.Scaling;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The scaled-out part of a <see cref="HubFixture"/>: one redis-server, several Hub.Server processes sharing it as
/// their backplane, and nginx in front of them, with what tests ask about who listens.
/// </summary>
public sealed class HubInstances : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly string _database;
    private readonly HubSettings _settings;
    private readonly HubProcess[] _instances;
    private readonly List<string> _stoppedOutput = [];

    internal HubInstances(PostgresServer postgres, string database, HubSettings settings, RedisServer redis, HubProcess[] instances, NginxServer nginx)
    {
        _postgres = postgres;
        _database = database;
        _settings = settings;
        Redis = redis;
        _instances = instances;
        Nginx = nginx;
    }

    public RedisServer Redis { get; }

    /// <summary>The instances, in start order; a restarted one takes its predecessor's place.</summary>
    public IReadOnlyList<HubProcess> Instances => _instances;

    public NginxServer Nginx { get; }

    /// <summary>Starts <paramref name="count"/> instances sharing a new redis-server, and nginx in front of them.</summary>
    internal static async Task<HubInstances> StartAsync(PostgresServer postgres, string database, HubSettings settings, int count)
    {
        var redis = await RedisServer.StartAsync();
        settings.Redis = redis.Configuration;
        // A prefix of its own per cluster, as separate deployments sharing one Redis would have.
        settings.ScaleOut.ChannelPrefix = $"test-{database}";
        settings.ScaleOut.StandbyLockWait = TimeSpan.FromSeconds(2);
        var starting = Enumerable.Range(1, count)
            .Select(i => HubProcess.StartAsync($"hub{i}", settings))
            .ToArray();
        try
        {
            var started = await Task.WhenAll(starting);
            var nginx = await NginxServer.StartAsync(started.Select(static hub => hub.Port));
            return new HubInstances(postgres, database, settings, redis, started, nginx);
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

    /// <summary>
    /// Stops instance <paramref name="index"/> with SIGTERM, as a rolling deploy does, and starts it again with the
    /// same id and port, so that nginx and its clients find "the same server" back.
    /// </summary>
    public async Task<HubProcess> RestartAsync(int index, TimeSpan stopTimeout)
    {
        var stopped = _instances[index];
        await stopped.TerminateAsync(stopTimeout);
        _stoppedOutput.Add($"--- {stopped.InstanceId} (before its restart):{Environment.NewLine}{stopped.Output}");
        await stopped.DisposeAsync();
        return _instances[index] = await HubProcess.StartAsync(stopped.InstanceId, _settings, stopped.Port);
    }

    /// <summary>Waits until exactly one live instance listens to the database and every other one with subscribers is a standby.</summary>
    public async Task<HubProcess> SettledListenerAsync(IEnumerable<HubProcess>? among = null, TimeSpan? timeout = null)
    {
        var candidates = (among ?? Instances).Where(static hub => !hub.HasExited).ToArray();
        HubProcess? listener = null;
        await Eventually.TrueAsync(async () =>
        {
            var states = await Task.WhenAll(candidates.Select(hub => hub.StateOfAsync(_database)));
            var listening = candidates.Where((_, i) => states[i] == "listening").ToArray();
            listener = listening.Length == 1 ? listening[0] : null;
            return listener is not null && states.All(static s => s is "listening" or "standby" or "idle");
        }, timeout ?? TimeSpan.FromSeconds(15), "exactly one instance should listen to the database");
        return listener!;
    }

    /// <summary>The listener connections of the database in pg_stat_activity: (listening, standby).</summary>
    public async Task<(int Listening, int Standby)> ListenerConnectionsAsync()
    {
        var admin = _postgres.ConnectionString();
        var listening = await Postgres.ListenerPidsAsync(admin, _database);
        var standby = await Postgres.ListenerPidsAsync(admin, _database, ListenerConnection.DefaultApplicationName + AdvisoryLockLeadership.StandbySuffix);
        return (listening.Length, standby.Length);
    }

    /// <summary>The backends holding the database's listener lock.</summary>
    public Task<int[]> LockHoldersAsync()
        => AdvisoryLocks.HoldersAsync(_postgres.ConnectionString(), _database, AdvisoryLockKeys.ForListener(_database));

    public string Logs() => string.Join(Environment.NewLine, _stoppedOutput.Concat(Instances.Select(static hub => $"--- {hub.InstanceId}:{Environment.NewLine}{hub.Output}")))
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
