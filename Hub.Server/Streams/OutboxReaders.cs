using System.Collections.Concurrent;
using Hub.Server.Databases;
using Hub.Server.Listening;

namespace Hub.Server.Streams;

/// <summary>
/// Creates the reader of each outbox database for its listener, and knows them all for stats and metrics.
/// </summary>
public sealed class OutboxReaders(
    OutboxDataSources dataSources, OutboxSchemaInstaller installer, ILoggerFactory loggerFactory, TimeProvider time) : IDatabaseStreamReaderFactory
{
    private readonly ConcurrentDictionary<string, OutboxReader> _readers = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IDatabaseStreamReader? Create(DatabaseDefinition database, IDatabaseSink deliveries)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Outbox is null)
        {
            return null;
        }

        var reader = new OutboxReader(database, deliveries, dataSources, installer, loggerFactory.CreateLogger<OutboxReader>(), time);
        _readers[database.Name] = reader;
        return reader;
    }

    /// <summary>The reader of <paramref name="database"/>, if it is an outbox database that has had subscribers.</summary>
    public OutboxReaderSnapshot? SnapshotOf(string database)
        => _readers.TryGetValue(database, out var reader) ? reader.Snapshot() : null;

    /// <summary>
    /// Completes with true once this instance's reader of <paramref name="database"/> has sent every row up to
    /// <paramref name="upTo"/>, with false when or once this instance does not read it.
    /// </summary>
    public Task<bool> WaitForSentAsync(string database, StreamPosition upTo, CancellationToken cancellationToken)
        => _readers.TryGetValue(database, out var reader) ? reader.WaitForSentAsync(upTo, cancellationToken) : Task.FromResult(false);

    /// <summary>Every reader's state.</summary>
    public IReadOnlyList<OutboxReaderSnapshot> Snapshot() => _readers.Values.Select(static r => r.Snapshot()).ToArray();
}
