using Microsoft.AspNetCore.SignalR.Client;

namespace Hub.Client;

/// <summary>
/// How a <see cref="NotificationHubClient"/> connects.
/// </summary>
public sealed class NotificationHubClientOptions
{
    /// <summary>The hub URL, for example <c>https://hub.example.com/hubs/notifications</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// Supplies the bearer token for each connect and reconnect, so an expired token is replaced by a fresh one.
    /// </summary>
    public Func<Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>The hub protocol; JSON by default.</summary>
    public HubProtocol Protocol { get; set; } = HubProtocol.Json;

    /// <summary>The longest wait between two reconnect attempts; the client never stops trying.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = DefaultMaxReconnectDelay;

    /// <summary>The default of <see cref="MaxReconnectDelay"/> (clients/contract.json, <c>reconnect.defaultMaxDelayMs</c>).</summary>
    internal static readonly TimeSpan DefaultMaxReconnectDelay = TimeSpan.FromSeconds(30);

    /// <summary>Connect with WebSockets directly, skipping the negotiate request (no sticky sessions needed).</summary>
    public bool SkipNegotiation { get; set; }

    /// <summary>A last chance to adjust the underlying SignalR connection (transports, headers, logging).</summary>
    public Action<IHubConnectionBuilder>? ConfigureConnection { get; set; }
}
