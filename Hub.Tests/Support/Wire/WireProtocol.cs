namespace Hub.Testing.Wire;

/// <summary>The SignalR hub protocols the bench speaks.</summary>
public enum WireProtocol
{
    /// <summary>SignalR's JSON hub protocol (text frames, messages end with 0x1E).</summary>
    Json,

    /// <summary>SignalR's MessagePack hub protocol (binary frames, messages prefixed with a varint length).</summary>
    MessagePack,
}
