using System.Net;
using System.Net.Sockets;

namespace Hub.Tests.Infrastructure;

/// <summary>Finds TCP ports on the loopback interface that nothing listens on.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
