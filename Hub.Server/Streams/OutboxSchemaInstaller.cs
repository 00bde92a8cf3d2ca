using System.Collections.Concurrent;
using Hub.Server.Databases;
using Npgsql;

namespace Hub.Server.Streams;

/// <summary>
/// Creates the outbox schema of a database on first use (reader, replay or publish), once per database and
/// process, when <see cref="OutboxOptions.InstallSchema"/> is on; stores the configured payload limit in it.
/// </summary>
/// <remarks>
/// Concurrent first uses share one attempt; a failed attempt is forgotten, so the next use tries again.
/// The script serializes installers on an advisory lock, so several instances starting at once are safe.
/// </remarks>
public sealed class OutboxSchemaInstaller(OutboxDataSources dataSources, ILogger<OutboxSchemaInstaller> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _installed = new(StringComparer.Ordinal);

    /// <summary>Returns once the outbox of <paramref name="database"/> exists (or is not the hub's to install).</summary>
    public async Task EnsureAsync(DatabaseDefinition database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Outbox is not { InstallSchema: true } outbox)
        {
            return;
        }

        var attempt = _installed.GetOrAdd(database.Name, _ => new Lazy<Task>(() => InstallAsync(database, outbox)));
        try
        {
            await attempt.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (attempt.Value.IsFaulted)
        {
            _installed.TryRemove(KeyValuePair.Create(database.Name, attempt));
            throw;
        }
    }

    private async Task InstallAsync(DatabaseDefinition database, OutboxOptions outbox)
    {
        var sql = new OutboxSql(outbox.Schema);
        await using var connection = await dataSources.ReaderOf(database).OpenConnectionAsync().ConfigureAwait(false);
        await using (var install = new NpgsqlCommand(sql.Install, connection))
        {
            await install.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using (var limit = new NpgsqlCommand(sql.SetMaxPayload, connection))
        {
            limit.Parameters.Add(new NpgsqlParameter { Value = outbox.MaxPayloadBytes });
            await limit.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        StreamsLog.SchemaInstalled(logger, database.Name, outbox.Schema, outbox.MaxPayloadBytes);
    }
}
