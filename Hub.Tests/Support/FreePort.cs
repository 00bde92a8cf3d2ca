using System.Net;
using System.Net.Sockets;

namespace Hub.Testing;

/// <summary>Finds TCP ports on the loopback interface that nothing listens on, and tells when something does.</summary>
public static class FreePort
{
    /// <summary>Whether a server accepts connections on <paramref name="port"/> of 127.0.0.1.</summary>
    public static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
