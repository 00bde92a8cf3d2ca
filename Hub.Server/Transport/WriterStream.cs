using Hub.Server.Delivery;

namespace Hub.Server.Transport;

/// <summary>
/// The stream a connection's <see cref="System.Net.WebSockets.WebSocket"/> runs over: reads come from the upgraded
/// connection, and every frame the WebSocket writes (one write per frame) goes through the connection's
/// <see cref="ConnectionWriter"/>, which orders it with the broadcast frames written by the fan-out.
/// </summary>
internal sealed class WriterStream(Stream upgraded, ConnectionWriter writer) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => upgraded.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => upgraded.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => writer.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Each write is flushed by the upgraded stream.
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
