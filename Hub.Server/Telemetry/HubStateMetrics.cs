using System.Diagnostics.Metrics;

namespace Hub.Server.Telemetry;

/// <summary>
/// Observable instruments that read, through <see cref="IHubStateSource"/>, the figures the hub's components keep
/// anyway, when a metrics reader collects: the very numbers <c>/api/stats</c> reports, so the two cannot disagree.
/// </summary>
public sealed class HubStateMetrics
{
    private readonly IHubStateSource _state;
    private readonly bool _databaseAttribute;

    /// <summary>Creates the observable instruments on the meter of <paramref name="metrics"/>.</summary>
    public HubStateMetrics(HubMetrics metrics, IHubStateSource state)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _state = state;
        _databaseAttribute = metrics.DatabaseAttribute;
        var meter = metrics.Meter;

        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.Connections, () => _state.Connections, "{connection}",
            "Hub connections open on this instance.");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.Subscribers, () => PerDatabase(static s => s.Subscribers), "{connection}",
            "Connections subscribed to at least one channel of the database.");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.Subscriptions, () => PerDatabase(static s => s.Subscriptions), "{subscription}",
            "(connection, channel) subscriptions that hold the database's listener open.");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.Listeners, ObserveListeners, "{listener}",
            "Database listeners of this instance by state (idle, connecting, listening, reconnecting, offline).");
        meter.CreateObservableCounter(
            HubDiagnostics.Instruments.NotificationsReceived, () => PerDatabase(static s => s.NotificationsReceived), "{notification}",
            "Notifications the listener received from PostgreSQL.");
        meter.CreateObservableCounter(
            HubDiagnostics.Instruments.ListenerReconnects, () => PerDatabase(static s => s.Reconnects), "{reconnect}",
            "Listener connections re-established after a loss (each is followed by a resync).");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.DeliveriesPending, () => PerDatabase(static s => s.PendingDeliveries), "{message}",
            "Notifications and resyncs received and not yet sent to clients.");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.ConnectionsBuffering, () => _state.BufferingConnections, "{connection}",
            "Connections whose transport is full and for which the hub holds messages (clients reading too slowly).");
        meter.CreateObservableCounter(
            HubDiagnostics.Instruments.SlowConsumersDisconnected, () => _state.SlowConsumersDisconnected, "{connection}",
            "Connections disconnected because more than Hub:Delivery:MaxBufferedBytesPerConnection waited for them.");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.NegotiationsPending, () => _state.PendingNegotiations, "{request}",
            "Negotiations whose connection has not arrived yet (bounded by the Hub:Limits:PendingNegotiations* limits).");
        meter.CreateObservableUpDownCounter(
            HubDiagnostics.Instruments.DatabaseConnections, () => _state.DatabaseConnections, "{connection}",
            "PostgreSQL connections the hub holds or may open now (listeners, outbox pools, publisher pools), out of Hub:Limits:MaxDatabaseConnections.");
        meter.CreateObservableCounter(
            HubDiagnostics.Instruments.DatabaseConnectionsRefused, () => _state.DatabaseConnectionsRefused, "{connection}",
            "PostgreSQL connections refused because the hub held Hub:Limits:MaxDatabaseConnections.");
    }

    private IEnumerable<Measurement<long>> PerDatabase(Func<DatabaseGauges, long> value)
    {
        var databases = _state.Databases();
        if (!_databaseAttribute)
        {
            return [new Measurement<long>(databases.Sum(value))];
        }

        return databases.Select(s => new Measurement<long>(value(s), new KeyValuePair<string, object?>(HubDiagnostics.Attributes.Database, s.Database)));
    }

    private IEnumerable<Measurement<long>> ObserveListeners()
    {
        var databases = _state.Databases();
        var states = _state.ListenerStates;
        if (!_databaseAttribute)
        {
            // Without the database, the value is how many listeners are in each state.
            return states.Select(state => new Measurement<long>(databases.Count(s => s.ListenerState == state), StateTag(state)));
        }

        // With it, every state of every listener is reported, 1 for the current one, so a state change shows as a step.
        return databases.SelectMany(s => states.Select(state => new Measurement<long>(
            s.ListenerState == state ? 1 : 0,
            new KeyValuePair<string, object?>(HubDiagnostics.Attributes.Database, s.Database),
            StateTag(state))));
    }

    private static KeyValuePair<string, object?> StateTag(string state) => new(HubDiagnostics.Attributes.ListenerState, state);
}
