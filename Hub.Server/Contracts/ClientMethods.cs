namespace Hub.Server.Contracts;

/// <summary>
/// The names of the methods the hub invokes on clients.
/// </summary>
public static class ClientMethods
{
    /// <summary>Carries a <see cref="NotificationEnvelope"/>.</summary>
    public const string Notification = "notification";

    /// <summary>Carries a <see cref="ResyncEnvelope"/>.</summary>
    public const string Resync = "resync";
}
