namespace Hub.Client;

/// <summary>The hub methods a client invokes (clients/contract.json, <c>hubMethods</c>).</summary>
internal static class HubMethods
{
    public const string Subscribe = "Subscribe";

    public const string Unsubscribe = "Unsubscribe";

    public const string Publish = "Publish";

    public const string SubscribeFrom = "SubscribeFrom";
}
