namespace Hub.Server.Transport;

/// <summary>
/// A stream over an upgraded connection that reads from the connection as it is and leaves writing to the subclass:
/// what the WebSocket runs over. Writes are asynchronous and complete only once their bytes are sent or owned by
/// the writer, so there is nothing to flush.
/// </summary>
internal abstract class UpgradedConnectionStream(Stream upgraded) : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => true;

    public sealed override long Length => throw new NotSupportedException();

    public sealed override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public sealed override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => upgraded.ReadAsync(buffer, cancellationToken);

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => upgraded.ReadAsync(buffer, offset, count, cancellationToken);

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public sealed override void Flush()
    {
    }

    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
