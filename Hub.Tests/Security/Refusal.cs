using Microsoft.AspNetCore.SignalR;

namespace Hub.Tests.Security;

/// <summary>
/// The hub's own words in a refused call: SignalR prefixes a <see cref="HubException"/>'s message with
/// "An unexpected error occurred invoking 'X' on the server. HubException: ".
/// </summary>
public static class Refusal
{
    private const string Marker = "HubException: ";

    public static string Of(HubException error)
    {
        var message = error.Message;
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? message : message[(at + Marker.Length)..];
    }
}
