namespace Hub.Server.Contracts;

/// <summary>
/// The names of the hub methods clients invoke; the notification hub's public methods carry exactly these names.
/// </summary>
public static class HubMethods
{
    /// <summary>Subscribes to a channel of a database (or to all of them) and returns once the LISTEN is active.</summary>
    public const string Subscribe = "Subscribe";

    /// <summary>Unsubscribes from a channel of a database (or from all of them).</summary>
    public const string Unsubscribe = "Unsubscribe";

    /// <summary>Sends a NOTIFY on a channel of a database; needs the publish claim.</summary>
    public const string Publish = "Publish";

    /// <summary>Subscribes to an outbox database and sends everything after a stream position before the live notifications.</summary>
    public const string SubscribeFrom = "SubscribeFrom";
}
