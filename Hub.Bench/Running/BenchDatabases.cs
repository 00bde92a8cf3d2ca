using Hub.Testing;
using Npgsql;

namespace Hub.Bench.Running;

/// <summary>The databases a bench run publishes to, created when missing.</summary>
public static class BenchDatabases
{
    /// <summary>
    /// Creates <paramref name="names"/> on <paramref name="postgres"/> (started by the bench) or on the server of
    /// <paramref name="connectionString"/>, and returns each name's connection string.
    /// </summary>
    public static async Task<Dictionary<string, string>> PrepareAsync(
        PostgresServer? postgres, string? connectionString, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        // Pooled, with a longer connect timeout than the tests use: the publishers open many connections under load.
        var admin = postgres is null
            ? connectionString ?? throw new ArgumentException("Either a started PostgreSQL or a connection string is needed.", nameof(connectionString))
            : new NpgsqlConnectionStringBuilder(postgres.ConnectionString()) { Pooling = true, Timeout = 15 }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var databases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            databases[name] = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        }

        return databases;
    }
}
