using System.Text.Json;
using Hub.Server.Databases;
using Hub.Server.Streams;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.Tests.Streams;

public sealed class OutboxSchemaTests(SharedPostgres postgres)
{
    [Fact]
    public void The_hub_installs_the_text_of_scripts_outbox_sql()
    {
        var script = File.ReadAllText(RepositoryFiles.PathOf("scripts", "outbox.sql"));

        Assert.Equal(script, OutboxSql.ScriptText);
        Assert.Equal(script, new OutboxSql(OutboxOptions.DefaultSchema).Install);
        Assert.Equal(script.Replace("notify_hub", "app_stream", StringComparison.Ordinal), new OutboxSql("app_stream").Install);
    }

    [Fact]
    public async Task Script_run_twice_keeps_the_epoch_and_the_rows()
    {
        await using var connection = await OpenInstalledAsync();
        await ExecuteAsync(connection, "SELECT notify_hub.publish('events', 'kept')");
        var epoch = await ScalarAsync<long>(connection, "SELECT epoch FROM notify_hub.meta");

        await ExecuteAsync(connection, OutboxSql.ScriptText);

        Assert.Equal(epoch, await ScalarAsync<long>(connection, "SELECT epoch FROM notify_hub.meta"));
        Assert.Equal("kept", await ScalarAsync<string>(connection, "SELECT payload FROM notify_hub.outbox"));
    }

    [Fact]
    public async Task Truncate_and_reinstall_start_a_new_epoch()
    {
        await using var connection = await OpenInstalledAsync();
        var first = await ScalarAsync<long>(connection, "SELECT epoch FROM notify_hub.meta");

        await ExecuteAsync(connection, "TRUNCATE notify_hub.outbox");
        var afterTruncate = await ScalarAsync<long>(connection, "SELECT epoch FROM notify_hub.meta");
        await ExecuteAsync(connection, "DROP SCHEMA notify_hub CASCADE");
        await ExecuteAsync(connection, OutboxSql.ScriptText);
        var afterReinstall = await ScalarAsync<long>(connection, "SELECT epoch FROM notify_hub.meta");

        Assert.Equal(3, new[] { first, afterTruncate, afterReinstall }.Distinct().Count());
    }

    [Fact]
    public async Task The_readers_statements_are_priced_below_the_JIT_threshold_on_a_large_outbox()
    {
        // JIT-compiling a statement costs tens of milliseconds, more than reading a batch: a plan priced above
        // jit_above_cost on every batch made catching up several times slower.
        await using var connection = await OpenInstalledAsync();
        await ExecuteAsync(connection, "INSERT INTO notify_hub.outbox (channel, payload, pid) SELECT 'events', 'payload ' || g, 1 FROM generate_series(1, 100000) g");
        await ExecuteAsync(connection, "ANALYZE notify_hub.outbox");
        var threshold = await ScalarAsync<double>(connection, "SELECT current_setting('jit_above_cost')::float8");
        var sql = new OutboxSql(OutboxOptions.DefaultSchema);

        var batch = await PlanCostAsync(connection, sql.ReadBatch, "0", 0L, 500, new[] { "events" });
        var head = await PlanCostAsync(connection, sql.ReadHead);

        Assert.InRange(batch, 0, threshold / 10);
        Assert.InRange(head, 0, threshold / 10);
    }

    [Fact]
    public void Bad_outbox_settings_are_refused_naming_the_key()
    {
        var options = new RegistryOptions();
        options.Databases["app"] = new DatabaseOptions
        {
            ConnectionString = "Host=127.0.0.1",
            Channels = ["events"],
            Outbox = new OutboxOptions { Enabled = true, Schema = "Bad-Schema", Retention = TimeSpan.Zero, MaxPayloadBytes = 0, PollInterval = TimeSpan.Zero },
        };

        var result = new OutboxOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Hub:Databases:app:Outbox:Schema", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Hub:Databases:app:Outbox:Retention must be positive", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Hub:Databases:app:Outbox:MaxPayloadBytes", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Hub:Databases:app:Outbox:PollInterval must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_tenant_outbox_settings_are_refused_naming_the_key()
    {
        var options = new Hub.Server.Tenants.TenantOptions { Outbox = new OutboxOptions { Enabled = true, BatchSize = 0 } };

        var result = ((IValidateOptions<Hub.Server.Tenants.TenantOptions>)new OutboxOptionsValidator()).Validate(Options.DefaultName, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Hub:Tenants:Outbox:BatchSize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hub_refuses_to_start_with_a_bad_outbox_setting()
    {
        var settings = HubSettings.For("app", postgres.Server.ConnectionString(), "events");
        settings.Databases["app"].Outbox.Enabled = true;
        settings.Databases["app"].Outbox.Retention = TimeSpan.FromSeconds(-1);

        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => HubHost.StartAsync(settings));

        Assert.Contains("Hub:Databases:app:Outbox:Retention must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disabled_outbox_settings_are_not_checked()
    {
        var options = new RegistryOptions();
        options.Databases["app"] = new DatabaseOptions { Outbox = new OutboxOptions { Schema = "Bad-Schema" } };

        Assert.True(new OutboxOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
    }

    /// <summary>A connection to a new database with the outbox schema installed.</summary>
    private async Task<NpgsqlConnection> OpenInstalledAsync()
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var connection = new NpgsqlConnection(postgres.Server.ConnectionString(database));
        try
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await ExecuteAsync(connection, OutboxSql.ScriptText);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<double> PlanCostAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var plan = (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        using var json = JsonDocument.Parse(plan);
        return json.RootElement[0].GetProperty("Plan").GetProperty("Total Cost").GetDouble();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
