namespace Hub.Server.Listening;

/// <summary>
/// Which changes of <see cref="ListenerState"/> a listener may make. <see cref="ListenerStatus.TransitionToLocked"/>, the
/// one place a listener's state changes, checks every change here before it makes it, so a state can only be reached
/// the way the loop means to reach it.
/// </summary>
public static class ListenerTransitions
{
    /// <summary>Whether a listener in <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool IsAllowed(ListenerState from, ListenerState to) => to switch
    {
        // The loop starts for a first subscriber.
        ListenerState.Connecting => from is ListenerState.Idle or ListenerState.Offline,
        // Connected and LISTENing: from a first connect, a reconnect, or a standby that took over.
        ListenerState.Listening => from is ListenerState.Connecting or ListenerState.Reconnecting or ListenerState.Standby,
        // Only a fresh connection can lose the race for the lock.
        ListenerState.Standby => from is ListenerState.Connecting or ListenerState.Reconnecting,
        // A connection can fail, or fail to open, from any state the loop runs in.
        ListenerState.Reconnecting => from is ListenerState.Connecting or ListenerState.Listening or ListenerState.Standby,
        // The loop ends: idle after its last subscriber left, or on stop; offline when it last failed to connect.
        ListenerState.Idle or ListenerState.Offline => from is not ListenerState.Idle and not ListenerState.Offline,
        _ => false,
    };
}
