using Microsoft.AspNetCore.Builder;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// Builds a <see cref="HubFixture"/>: a new database (or a given one) with the channels 'events' and 'other', typed
/// <see cref="HubSettings"/>, optionally tokens and captured logs, run in this process or as a cluster.
/// </summary>
public sealed class HubFixtureBuilder
{
    private readonly PostgresServer _postgres;
    private readonly List<Action<HubSettings>> _configure = [];
    private readonly List<Action<WebApplicationBuilder>> _configureHost = [];
    private readonly List<Action<WebApplicationBuilder>> _configureServices = [];
    private string? _database;
    private string _databasePrefix = "t";
    private string[] _channels = [HubFixture.Events, HubFixture.Other];
    private bool _tokens;
    private bool _captureLogs;

    internal HubFixtureBuilder(PostgresServer postgres) => _postgres = postgres;

    /// <summary>Changes the settings; runs after the database, channels and tokens are set, in the order given.</summary>
    public HubFixtureBuilder Configure(Action<HubSettings> configure)
    {
        _configure.Add(configure);
        return this;
    }

    /// <summary>Serves an existing database instead of creating one.</summary>
    public HubFixtureBuilder WithDatabase(string database)
    {
        _database = database;
        return this;
    }

    /// <summary>The prefix of the created database's name.</summary>
    public HubFixtureBuilder WithDatabasePrefix(string prefix)
    {
        _databasePrefix = prefix;
        return this;
    }

    /// <summary>The channels the database allows (default 'events' and 'other').</summary>
    public HubFixtureBuilder WithChannels(params string[] channels)
    {
        _channels = channels;
        return this;
    }

    /// <summary>Requires tokens signed by the fixture's <see cref="HubFixture.Tokens"/>; anonymous callers are refused.</summary>
    public HubFixtureBuilder WithTokens()
    {
        _tokens = true;
        return this;
    }

    /// <summary>Keeps every log entry of the in-process hub in <see cref="HubFixture.Logs"/>.</summary>
    public HubFixtureBuilder CaptureLogs()
    {
        _captureLogs = true;
        return this;
    }

    /// <summary>Changes the in-process host before the hub's services are added (URLs, logging).</summary>
    public HubFixtureBuilder ConfigureHost(Action<WebApplicationBuilder> configure)
    {
        _configureHost.Add(configure);
        return this;
    }

    /// <summary>Changes the in-process hub's services after the hub added its own, so a registration here replaces the hub's.</summary>
    public HubFixtureBuilder ConfigureServices(Action<WebApplicationBuilder> configure)
    {
        _configureServices.Add(configure);
        return this;
    }

    /// <summary>Starts the hub in this process.</summary>
    public async Task<HubFixture> StartAsync()
    {
        var (database, settings, tokens) = await PrepareAsync();
        var logs = new CapturedLogs();
        var hub = new HubHost(settings)
        {
            ConfigureHost = builder =>
            {
                if (_captureLogs)
                {
                    logs.AttachTo(builder);
                }

                _configureHost.ForEach(configure => configure(builder));
            },
            ConfigureServices = builder => _configureServices.ForEach(configure => configure(builder)),
        };
        await hub.StartAsync();
        return new HubFixture(_postgres, database, hub, null, tokens, logs);
    }

    /// <summary>Starts <paramref name="instances"/> Hub.Server processes sharing a redis-server, behind nginx.</summary>
    public async Task<HubFixture> StartClusterAsync(int instances = 3)
    {
        if (_captureLogs || _configureHost.Count > 0 || _configureServices.Count > 0)
        {
            throw new InvalidOperationException("A cluster runs the hub as processes: it has no host to change and its logs are in Cluster.Logs().");
        }

        var (database, settings, tokens) = await PrepareAsync();
        var cluster = await HubInstances.StartAsync(_postgres, database, settings, instances);
        return new HubFixture(_postgres, database, null, cluster, tokens, new CapturedLogs());
    }

    private async Task<(string Database, HubSettings Settings, TestTokens? Tokens)> PrepareAsync()
    {
        var database = _database ?? await _postgres.CreateUniqueDatabaseAsync(_databasePrefix);
        var settings = HubSettings.For(database, _postgres.ConnectionString(database), _channels);
        var tokens = _tokens ? new TestTokens() : null;
        tokens?.Configure(settings);
        _configure.ForEach(configure => configure(settings));
        return (database, settings, tokens);
    }
}
