namespace Hub.Testing.Wire;

/// <summary>Receives what the hub pushes to a <see cref="RawHubConnection"/>.</summary>
public interface IHubMessageSink
{
    /// <summary>A <c>notification</c>; <paramref name="payload"/> is the NOTIFY payload's UTF-8 bytes, valid only during the call.</summary>
    void OnNotification(ReadOnlySpan<byte> payload);

    /// <summary>A <c>resync</c>.</summary>
    void OnResync();
}
