namespace Hub.Server.Security;

/// <summary>What a caller wants to do with a database.</summary>
public enum DatabaseRight
{
    /// <summary>Receive its notifications.</summary>
    Subscribe,

    /// <summary>Send notifications to it.</summary>
    Publish,
}
