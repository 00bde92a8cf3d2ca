namespace Hub.Server.Listening;

/// <summary>
/// The listener gave up on its connection because the database stopped answering; the connection is closed
/// in the background once the command it was running ends.
/// </summary>
public sealed class ListenerConnectionLostException : Exception
{
    /// <summary>Creates the exception with its reason.</summary>
    public ListenerConnectionLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ListenerConnectionLostException()
    {
    }

    /// <summary>Creates the exception with its reason and cause.</summary>
    public ListenerConnectionLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
