using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>Builds the SignalR connection a <see cref="NotificationHubClient"/> runs on, from its options.</summary>
internal static class HubConnectionFactory
{
    /// <summary>
    /// A connection to <see cref="NotificationHubClientOptions.Url"/> that reconnects forever and speaks the chosen
    /// protocol.
    /// </summary>
    public static HubConnection Build(NotificationHubClientOptions options, ILoggerFactory? loggerFactory, ILogger logger)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(options.Url!, http =>
            {
                if (options.AccessTokenProvider is not null)
                {
                    http.AccessTokenProvider = options.AccessTokenProvider;
                }

                if (options.SkipNegotiation)
                {
                    http.SkipNegotiation = true;
                    http.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                }
            })
            .WithAutomaticReconnect(new ForeverRetryPolicy(options.MaxReconnectDelay, logger));
        if (options.Protocol == HubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        options.ConfigureConnection?.Invoke(builder);
        return builder.Build();
    }
}
