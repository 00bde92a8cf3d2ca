using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Client;

/// <summary>
/// The connection's hub protocol, unchanged, that also stamps the <see cref="ReceiveClock"/> for each message it
/// parses. SignalR's client has no event for the hub's pings; every message, pings included, passes through the
/// protocol, so this is where "last heard from the hub" is known exactly. The hub's close message does not count:
/// a closing connection may already be out of its groups, so it says nothing about what was delivered.
/// </summary>
internal sealed class ReceiveStampingProtocol(IHubProtocol inner, ReceiveClock clock) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    /// <summary>Wraps the protocol the builder resolves (the last one registered) of <paramref name="services"/>.</summary>
    public static void Decorate(IServiceCollection services, ReceiveClock clock)
    {
        var registered = services.LastOrDefault(static d => d.ServiceType == typeof(IHubProtocol) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("The hub connection has no hub protocol to use.");
        services.Remove(registered);
        services.AddSingleton<IHubProtocol>(provider => new ReceiveStampingProtocol(Create(provider, registered), clock));
    }

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is not CloseMessage)
        {
            clock.Stamp();
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    private static IHubProtocol Create(IServiceProvider provider, ServiceDescriptor registered)
        => registered.ImplementationInstance as IHubProtocol
            ?? registered.ImplementationFactory?.Invoke(provider) as IHubProtocol
            ?? (IHubProtocol)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!);
}
