[assembly: AssemblyFixture(typeof(Hub.Tests.Infrastructure.SharedPostgres))]

namespace Hub.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test run. Tests that stop or restart PostgreSQL start their own.
/// Each test creates its own database on it, so listener counts in pg_stat_activity stay per test.
/// </summary>
public sealed class SharedPostgres : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL has not started.");

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
