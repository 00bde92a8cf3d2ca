namespace Hub.Tests.Infrastructure;

/// <summary>
/// A fresh database on a PostgreSQL server and the hub serving it with the channels 'events' and 'other': in this
/// process (<see cref="Hub"/>) or as several processes behind nginx (<see cref="Cluster"/>). Built by
/// <see cref="HubFixtureBuilder"/>; what nearly every test starts from. Disposing it disposes every client it made.
/// </summary>
public sealed class HubFixture : IAsyncDisposable
{
    public const string Events = "events";
    public const string Other = "other";

    // Tests connect clients in parallel, so what the fixture owns is added from several threads at once.
    private readonly System.Collections.Concurrent.ConcurrentQueue<IAsyncDisposable> _owned = new();
    private readonly HubHost? _hub;
    private readonly HubInstances? _cluster;
    private readonly TestTokens? _tokens;

    internal HubFixture(PostgresServer postgres, string database, HubHost? hub, HubInstances? cluster, TestTokens? tokens, CapturedLogs logs)
    {
        Postgres = postgres;
        Database = database;
        _hub = hub;
        _cluster = cluster;
        _tokens = tokens;
        Logs = logs;
    }

    public PostgresServer Postgres { get; }

    public string Database { get; }

    public string DatabaseConnectionString => Postgres.ConnectionString(Database);

    /// <summary>The in-process hub.</summary>
    public HubHost Hub => _hub ?? throw new InvalidOperationException("This fixture runs the hub as a cluster of processes: use Cluster.");

    /// <summary>The hub processes, their Redis and nginx.</summary>
    public HubInstances Cluster => _cluster ?? throw new InvalidOperationException("This fixture runs the hub in this process: use Hub.");

    /// <summary>The key the hub trusts, when built <see cref="HubFixtureBuilder.WithTokens"/>.</summary>
    public TestTokens Tokens => _tokens ?? throw new InvalidOperationException("This hub allows anonymous callers: build it WithTokens().");

    /// <summary>What the in-process hub logged, when built <see cref="HubFixtureBuilder.CaptureLogs"/>.</summary>
    public CapturedLogs Logs { get; }

    /// <summary>The address clients connect to: the hub itself, or nginx in front of the cluster.</summary>
    public Uri HubUrl => _cluster?.Nginx.HubUrl ?? Hub.HubUrl;

    public static HubFixtureBuilder For(PostgresServer postgres) => new(postgres);

    /// <summary>An anonymous client (a hub built without tokens).</summary>
    public Task<RecordingClient> ConnectAsync(bool messagePack = false) => TrackAsync(RecordingClient.ConnectAsync(HubUrl, messagePack));

    /// <summary>A client whose token grants the given databases (default: this one) and publishing to <paramref name="publish"/>.</summary>
    public Task<RecordingClient> ConnectAsync(string subject, string[]? databases = null, string[]? publish = null)
        => TrackAsync(RecordingClient.ConnectAsync(HubUrl, accessToken: Tokens.Create(subject, databases ?? [Database], publish)));

    public async Task<RecordingClient> SubscribedClientAsync(string? channel = Events, bool messagePack = false)
    {
        var client = await ConnectAsync(messagePack);
        await client.SubscribeAsync(Database, channel);
        return client;
    }

    /// <summary>Disposes <paramref name="create"/>'s result with the fixture.</summary>
    public async Task<T> TrackAsync<T>(Task<T> create)
        where T : IAsyncDisposable
    {
        var created = await create;
        _owned.Enqueue(created);
        return created;
    }

    public Task NotifyAsync(string channel, string payload) => Infrastructure.Postgres.NotifyAsync(DatabaseConnectionString, channel, payload);

    public Task<int[]> ListenerPidsAsync() => Infrastructure.Postgres.ListenerPidsAsync(Postgres.ConnectionString(), Database);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        Logs.Dispose();
    }
}
