using MessagePack;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;

namespace Hub.Server.Hubs;

/// <summary>
/// The hub protocols read string arguments exactly as sent: invalid UTF-8 and lone surrogates reach the hub's checks
/// (which refuse them with their own message) instead of being repaired with U+FFFD (MessagePack) or failing the
/// binding with a generic error (JSON).
/// </summary>
public static class HubProtocolSetup
{
    /// <summary>Adds the JSON and MessagePack protocols with strings read by <see cref="MarkedUtf8"/>.</summary>
    public static ISignalRServerBuilder AddExactStringProtocols(this ISignalRServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJsonProtocol(static options => options.PayloadSerializerOptions.Converters.Add(new MarkedUtf8JsonStringConverter()));
        builder.AddMessagePackProtocol(static options => options.SerializerOptions = options.SerializerOptions.WithResolver(
            CompositeResolver.Create([MarkedUtf8StringFormatter.Instance], [options.SerializerOptions.Resolver])));
        return builder;
    }
}
