namespace Hub.Testing.Wire;

/// <summary>The hub refused the handshake or an invocation; the message is the hub's.</summary>
public sealed class HubInvocationException : Exception
{
    public HubInvocationException()
    {
    }

    public HubInvocationException(string message)
        : base(message)
    {
    }

    public HubInvocationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
