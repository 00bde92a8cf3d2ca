namespace Hub.Server.Listening;

/// <summary>
/// A subscriber waiting until the listener LISTENs on all of its channels.
/// </summary>
public sealed class ActivationWaiter(IReadOnlyCollection<string> channels)
{
    private readonly TaskCompletionSource _activated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The channels that must be LISTENed on.</summary>
    public IReadOnlyCollection<string> Channels { get; } = channels;

    /// <summary>Completes once the channels are LISTENed on.</summary>
    public Task Task => _activated.Task;

    /// <summary>The channels are LISTENed on.</summary>
    public void Activated() => _activated.TrySetResult();

    /// <summary>The listener stopped before the channels were LISTENed on.</summary>
    public void Failed(Exception exception) => _activated.TrySetException(exception);
}
