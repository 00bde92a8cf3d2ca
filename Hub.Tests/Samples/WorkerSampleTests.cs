using Hub.Tests.Infrastructure;
using Npgsql;

namespace Hub.Tests.Samples;

/// <summary>
/// samples/worker, run as its own process against a real hub and PostgreSQL: it loads the table after subscribing,
/// applies a change it is notified of, and loads the table again on a resync.
/// </summary>
public sealed class WorkerSampleTests(SharedPostgres postgres)
{
    [Fact]
    public async Task Worker_loads_after_subscribing_applies_a_notification_and_reloads_on_resync()
    {
        await using var hub = await HubFixture.For(postgres.Server).WithChannels("orders").StartAsync();
        await ExecuteAsync(hub, await File.ReadAllTextAsync(RepositoryFiles.PathOf("samples", "schema.sql"), TestContext.Current.CancellationToken));
        await ExecuteAsync(hub, "INSERT INTO orders (id, status) VALUES (1, 'new'), (2, 'new')");

        var worker = RepositoryFiles.PathOf("samples", "worker", "bin", "Release", "net10.0", "Samples.Worker.dll");
        Assert.True(File.Exists(worker), $"{worker} is built with the solution");
        await using var process = ChildProcess.Start("worker", "dotnet", [worker], new Dictionary<string, string>
        {
            ["HUB_URL"] = hub.HubUrl.ToString(),
            ["APP_DB"] = hub.DatabaseConnectionString,
            ["HUB_DATABASE"] = hub.Database,
            ["DOTNET_NOLOGO"] = "1",
        });

        await WaitForAsync(process, "loaded 2 orders");
        await ExecuteAsync(hub, "UPDATE orders SET status = 'shipped', version = version + 1 WHERE id = 1");
        await WaitForAsync(process, "order 1: shipped (version 2)");

        // A change the worker cannot be told about (its listener is down), then the listener connection dies:
        // the resync makes the worker load the table again, which brings the change in.
        await ExecuteAsync(hub, "INSERT INTO orders (id, status) VALUES (3, 'new')");
        foreach (var pid in await hub.ListenerPidsAsync())
        {
            await Postgres.TerminateAsync(postgres.Server.ConnectionString(), pid);
        }

        await WaitForAsync(process, "reloaded 3 orders");
        Assert.False(process.HasExited, process.Output);
    }

    private static async Task WaitForAsync(ChildProcess process, string line)
    {
        await Eventually.TrueAsync(
            () => process.Output.Contains(line, StringComparison.Ordinal) || process.HasExited,
            TimeSpan.FromSeconds(60),
            $"the worker never printed '{line}': {process.Output}");
        Assert.True(process.Output.Contains(line, StringComparison.Ordinal), $"the worker exited before printing '{line}': {process.Output}");
    }

    private static async Task ExecuteAsync(HubFixture hub, string sql)
    {
        await using var connection = new NpgsqlConnection(hub.DatabaseConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
