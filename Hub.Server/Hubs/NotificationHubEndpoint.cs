namespace Hub.Server.Hubs;

/// <summary>
/// Where the hub is mapped.
/// </summary>
public static class NotificationHubEndpoint
{
    /// <summary>The hub path clients connect to.</summary>
    public const string Path = "/hubs/notifications";
}
