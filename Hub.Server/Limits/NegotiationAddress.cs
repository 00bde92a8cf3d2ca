using System.Net;
using System.Net.Sockets;

namespace Hub.Server.Limits;

/// <summary>
/// The key a remote address counts its negotiations under: the IPv4 address, or the /64 network of an IPv6 one.
/// </summary>
/// <remarks>
/// One IPv6 host usually holds a whole /64 and can send from any of its addresses; counting them one by one would
/// give it as many budgets as it likes.
/// </remarks>
public static class NegotiationAddress
{
    /// <summary>The key of <paramref name="address"/>; "unknown" when the transport has none (in-memory, Unix sockets).</summary>
    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
