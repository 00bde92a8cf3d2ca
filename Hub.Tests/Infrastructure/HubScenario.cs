namespace Hub.Tests.Infrastructure;

/// <summary>
/// A fresh database on a PostgreSQL server and a hub serving it with the channels 'events' and 'other';
/// what most tests start from.
/// </summary>
public sealed class HubScenario : IAsyncDisposable
{
    public const string Events = "events";
    public const string Other = "other";

    private readonly List<RecordingClient> _clients = [];

    private HubScenario(PostgresServer postgres, string database, HubHost hub)
    {
        Postgres = postgres;
        Database = database;
        Hub = hub;
    }

    public PostgresServer Postgres { get; }

    public string Database { get; }

    public HubHost Hub { get; }

    public string DatabaseConnectionString => Postgres.ConnectionString(Database);

    public static async Task<HubScenario> StartAsync(
        PostgresServer postgres, Action<Dictionary<string, string?>>? configure = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configureBuilder = null)
    {
        var database = await postgres.CreateUniqueDatabaseAsync();
        var settings = HubHost.SettingsFor(database, postgres.ConnectionString(database), Events, Other);
        configure?.Invoke(settings);
        var hub = await HubHost.StartAsync(settings, configureBuilder);
        return new HubScenario(postgres, database, hub);
    }

    public async Task<RecordingClient> ConnectAsync(bool messagePack = false)
    {
        var client = await RecordingClient.ConnectAsync(Hub.HubUrl, messagePack);
        _clients.Add(client);
        return client;
    }

    public async Task<RecordingClient> SubscribedClientAsync(string? channel = Events, bool messagePack = false)
    {
        var client = await ConnectAsync(messagePack);
        await client.SubscribeAsync(Database, channel);
        return client;
    }

    public Task NotifyAsync(string channel, string payload) => Infrastructure.Postgres.NotifyAsync(DatabaseConnectionString, channel, payload);

    public Task<int[]> ListenerPidsAsync() => Infrastructure.Postgres.ListenerPidsAsync(Postgres.ConnectionString(), Database);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Hub.DisposeAsync();
    }
}
