using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>What one worker connects: <see cref="Connections"/> subscribers, connection i on database (FirstIndex + i) mod D.</summary>
public sealed record WorkerSpec(
    Uri HubUrl,
    WireProtocol Protocol,
    int Connections,
    int FirstIndex,
    IReadOnlyList<string> Databases,
    string Channel,
    int ConnectConcurrency);
