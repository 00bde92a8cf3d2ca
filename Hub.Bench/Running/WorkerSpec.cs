using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>
/// What one worker connects: <see cref="Connections"/> subscribers, where connection n = FirstIndex + i subscribes
/// to database n mod D and, among that database's connections, to the channels in turn: channel (n div D) mod C.
/// </summary>
public sealed record WorkerSpec(
    Uri HubUrl,
    WireProtocol Protocol,
    int Connections,
    int FirstIndex,
    IReadOnlyList<string> Databases,
    IReadOnlyList<string> Channels,
    int ConnectConcurrency)
{
    /// <summary>The database and channel connection <paramref name="i"/> of this worker subscribes to.</summary>
    public (string Database, string Channel) StreamOf(int i)
    {
        var n = FirstIndex + i;
        return (Databases[n % Databases.Count], Channels[n / Databases.Count % Channels.Count]);
    }
}
