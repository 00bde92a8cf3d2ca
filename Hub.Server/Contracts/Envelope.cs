namespace Hub.Server.Contracts;

/// <summary>
/// A message the hub sends to the subscribers of one database: a <see cref="NotificationEnvelope"/> or a
/// <see cref="ResyncEnvelope"/>. Each kind knows its client method and its SignalR group, so nothing that carries an
/// envelope needs to ask which kind it is.
/// </summary>
/// <remarks>
/// The base declares no property: the members that route an envelope are methods, so that neither JSON nor
/// MessagePack serializes them, and the wire shape of each kind is exactly its own positional properties.
/// </remarks>
public abstract record Envelope
{
    /// <summary>The client method that carries this envelope (<see cref="ClientMethods"/>).</summary>
    public abstract string ClientMethod();

    /// <summary>The SignalR group of the connections that receive it (<see cref="GroupNames"/>).</summary>
    public abstract string Group();
}
