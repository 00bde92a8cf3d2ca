namespace Hub.Client;

/// <summary>The methods the hub invokes on a client (clients/contract.json, <c>clientMethods</c>).</summary>
internal static class ClientMethods
{
    public const string Notification = "notification";

    public const string Resync = "resync";
}
