using Microsoft.Extensions.Logging;

namespace Hub.Client;

/// <summary>
/// Calls every handler of an event, each on its own: one that throws is logged and the others still run, and so does
/// the delivery of the next notification.
/// </summary>
internal sealed class IsolatedHandlers(ILogger logger)
{
    /// <summary>Raises an event without arguments.</summary>
    public void Raise(Action? handlers, string eventName)
    {
        foreach (var handler in Handlers(handlers))
        {
            Isolated(() => handler(), eventName);
        }
    }

    /// <summary>Raises an event with one argument.</summary>
    public void Raise<T>(Action<T>? handlers, T argument, string eventName)
    {
        foreach (var handler in Handlers(handlers))
        {
            Isolated(() => handler(argument), eventName);
        }
    }

    /// <summary>Raises an event with two arguments.</summary>
    public void Raise<T1, T2>(Action<T1, T2>? handlers, T1 first, T2 second, string eventName)
    {
        foreach (var handler in Handlers(handlers))
        {
            Isolated(() => handler(first, second), eventName);
        }
    }

    private static IEnumerable<TDelegate> Handlers<TDelegate>(TDelegate? handlers)
        where TDelegate : Delegate
        => handlers?.GetInvocationList().Cast<TDelegate>() ?? [];

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A handler's failure is the application's; it must not stop delivery.")]
    private void Isolated(Action call, string eventName)
    {
        try
        {
            call();
        }
        catch (Exception ex)
        {
            ClientLog.HandlerFailed(logger, eventName, ex);
        }
    }
}
