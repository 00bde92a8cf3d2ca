using Hub.Tests.Infrastructure;

namespace Hub.Tests.Security;

/// <summary>
/// A fresh database and a hub that requires tokens signed by <see cref="Tokens"/>, with the channels
/// 'events' and 'other'; logs are captured.
/// </summary>
public sealed class SecuredHub : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private SecuredHub(PostgresServer postgres, string database, HubHost hub, TestTokens tokens, CapturedLogs logs)
    {
        Postgres = postgres;
        Database = database;
        Hub = hub;
        Tokens = tokens;
        Logs = logs;
    }

    public PostgresServer Postgres { get; }

    public string Database { get; }

    public HubHost Hub { get; }

    public TestTokens Tokens { get; }

    public CapturedLogs Logs { get; }

    public string DatabaseConnectionString => Postgres.ConnectionString(Database);

    public static async Task<SecuredHub> StartAsync(PostgresServer postgres, Action<Dictionary<string, string?>>? configure = null, string? database = null)
    {
        database ??= await postgres.CreateUniqueDatabaseAsync();
        var tokens = new TestTokens();
        var settings = HubHost.SettingsFor(database, postgres.ConnectionString(database), HubScenario.Events, HubScenario.Other);
        tokens.Configure(settings);
        configure?.Invoke(settings);
        var logs = new CapturedLogs();
        var hub = new HubHost(settings) { ConfigureBuilder = logs.AttachTo };
        await hub.StartAsync();
        return new SecuredHub(postgres, database, hub, tokens, logs);
    }

    /// <summary>A connected client whose token grants the given databases.</summary>
    public async Task<RecordingClient> ConnectAsync(string subject, string[]? databases = null, string[]? publish = null)
    {
        var client = await RecordingClient.ConnectAsync(Hub.HubUrl, accessToken: Tokens.Create(subject, databases ?? [Database], publish));
        _owned.Add(client);
        return client;
    }

    public async Task<T> TrackAsync<T>(Task<T> create)
        where T : IAsyncDisposable
    {
        var created = await create;
        _owned.Add(created);
        return created;
    }

    public Task NotifyAsync(string channel, string payload) => Infrastructure.Postgres.NotifyAsync(DatabaseConnectionString, channel, payload);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await Hub.DisposeAsync();
        Logs.Dispose();
    }
}
