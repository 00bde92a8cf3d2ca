using Hub.Server.Delivery;

namespace Hub.Server.Transport;

/// <summary>
/// The stream a connection's <see cref="System.Net.WebSockets.WebSocket"/> runs over: reads come from the upgraded
/// connection, and every frame the WebSocket writes (one write per frame) goes through the connection's
/// <see cref="ConnectionWriter"/>, which orders it with the broadcast frames written by the fan-out.
/// </summary>
internal sealed class WriterStream(Stream upgraded, ConnectionWriter writer) : UpgradedConnectionStream(upgraded)
{
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => writer.WriteAsync(buffer, cancellationToken);
}
