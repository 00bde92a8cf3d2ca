using System.Diagnostics.Metrics;
using Hub.Server.Telemetry;

namespace Hub.Server.Streams;

/// <summary>
/// The durable streams' observable instruments, read from the readers when a metrics reader collects.
/// </summary>
public sealed class OutboxMetrics
{
    /// <summary>Creates the instruments on the hub's meter.</summary>
    public OutboxMetrics(HubMetrics metrics, OutboxReaders readers)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(readers);
        var withDatabase = metrics.DatabaseAttribute;
        metrics.Meter.CreateObservableGauge(
            HubDiagnostics.Instruments.OutboxOldestTransactionAge,
            () => readers.Snapshot()
                .Where(static s => s.Reading)
                .Select(s => withDatabase
                    ? new Measurement<double>(s.OldestTransactionSeconds, new KeyValuePair<string, object?>(HubDiagnostics.Attributes.Database, s.Database))
                    : new Measurement<double>(s.OldestTransactionSeconds)),
            "s",
            "Age of the oldest transaction holding an xid on the outbox database's server: rows of later transactions wait for it to end.");
        metrics.Meter.CreateObservableCounter(
            HubDiagnostics.Instruments.OutboxRowsSent,
            () => readers.Snapshot()
                .Select(s => withDatabase
                    ? new Measurement<long>(s.RowsSent, new KeyValuePair<string, object?>(HubDiagnostics.Attributes.Database, s.Database))
                    : new Measurement<long>(s.RowsSent)),
            "{row}",
            "Outbox rows this instance read and sent to clients.");
    }
}
