namespace Hub.Client;

/// <summary>
/// The SignalR hub protocol a client speaks.
/// </summary>
public enum HubProtocol
{
    /// <summary>JSON text frames.</summary>
    Json,

    /// <summary>MessagePack binary frames: smaller and faster to parse.</summary>
    MessagePack,
}
