namespace Hub.Server.Contracts;

/// <summary>
/// Where the hub is mapped: the path clients connect to is part of the contract.
/// </summary>
public static class NotificationHubEndpoint
{
    /// <summary>The hub path clients connect to.</summary>
    public const string Path = "/hubs/notifications";
}
