using Hub.Testing;
using Npgsql;

namespace Hub.Bench.Running;

/// <summary>The databases a bench run publishes to, created when missing.</summary>
public static class BenchDatabases
{
    /// <summary>
    /// The connection string to create databases with: <paramref name="postgres"/>'s (started by the bench), pooled
    /// with a longer connect timeout than the tests use since the publishers open many connections under load, or
    /// <paramref name="connectionString"/>.
    /// </summary>
    public static string Admin(PostgresServer? postgres, string? connectionString)
        => postgres is null
            ? connectionString ?? throw new ArgumentException("Either a started PostgreSQL or a connection string is needed.", nameof(connectionString))
            : new NpgsqlConnectionStringBuilder(postgres.ConnectionString()) { Pooling = true, Timeout = 15 }.ConnectionString;

    /// <summary>
    /// Creates <paramref name="names"/> on <paramref name="postgres"/> or on the server of
    /// <paramref name="connectionString"/>, and returns each name's connection string.
    /// </summary>
    public static async Task<Dictionary<string, string>> PrepareAsync(
        PostgresServer? postgres, string? connectionString, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var admin = Admin(postgres, connectionString);
        var databases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            databases[name] = await EnsureAsync(admin, name, cancellationToken).ConfigureAwait(false);
        }

        return databases;
    }

    /// <summary>Creates <paramref name="name"/> on the server of <paramref name="admin"/> if needed; returns its connection string.</summary>
    public static async Task<string> EnsureAsync(string admin, string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }
}
