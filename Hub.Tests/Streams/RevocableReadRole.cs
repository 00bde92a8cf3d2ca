using Hub.Tests.Infrastructure;
using Npgsql;

namespace Hub.Tests.Streams;

/// <summary>
/// A PostgreSQL login role that reads every table through <c>pg_read_all_data</c> and owns nothing, for a hub
/// instance that must run as something other than the superuser: taking the membership away makes each of its
/// statements that reads a table fail with "permission denied", on a pooled connection as on a fresh one, until it is
/// given back. Roles belong to the whole server, so it has a name of its own and is dropped on dispose.
/// </summary>
public sealed class RevocableReadRole : IAsyncDisposable
{
    private readonly PostgresServer _server;

    private RevocableReadRole(PostgresServer server, string name)
    {
        _server = server;
        Name = name;
    }

    public string Name { get; }

    public static async Task<RevocableReadRole> CreateAsync(PostgresServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var role = new RevocableReadRole(server, $"hub_reader_{Guid.NewGuid():N}");
        await role.ExecuteAsync($"CREATE ROLE {role.Name} LOGIN IN ROLE pg_read_all_data");
        return role;
    }

    /// <summary>
    /// Has the hub of <paramref name="settings"/> connect to <paramref name="database"/> as this role. It cannot own
    /// the outbox schema, so it leaves installing it to an instance that can.
    /// </summary>
    public void Use(HubSettings settings, string database)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Databases[database];
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Username = Name }.ConnectionString;
        options.Outbox.InstallSchema = false;
    }

    /// <summary>Takes its reads away: from now on every statement of its sessions that reads a table fails.</summary>
    public Task DenyReadsAsync() => ExecuteAsync($"REVOKE pg_read_all_data FROM {Name}");

    /// <summary>Gives its reads back.</summary>
    public Task AllowReadsAsync() => ExecuteAsync($"GRANT pg_read_all_data TO {Name}");

    public async ValueTask DisposeAsync() => await ExecuteAsync($"DROP ROLE IF EXISTS {Name}");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
