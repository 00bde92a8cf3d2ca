namespace Hub.Server.Telemetry;

/// <summary>
/// The figures the hub keeps anyway, read by <see cref="HubStateMetrics"/> when a metrics reader collects. Telemetry
/// owns this interface and reads no other part of the hub; the part that gathers state for <c>/api/stats</c>
/// implements it, so the metrics and the stats report the same numbers.
/// </summary>
public interface IHubStateSource
{
    /// <summary>Hub connections open on this instance.</summary>
    long Connections { get; }

    /// <summary>Connections whose transport is full, for which the hub holds messages now.</summary>
    long BufferingConnections { get; }

    /// <summary>Connections disconnected as slow consumers since start.</summary>
    long SlowConsumersDisconnected { get; }

    /// <summary>The name of every state a listener can be in, so that each state's series exists from the start.</summary>
    IReadOnlyList<string> ListenerStates { get; }

    /// <summary>Negotiations that have not connected yet.</summary>
    long PendingNegotiations { get; }

    /// <summary>PostgreSQL connections the hub holds or may open now (taken from its budget).</summary>
    long DatabaseConnections { get; }

    /// <summary>PostgreSQL connections refused since start because the budget had none left.</summary>
    long DatabaseConnectionsRefused { get; }

    /// <summary>The figures of every database that has a listener.</summary>
    IReadOnlyList<DatabaseGauges> Databases();
}
