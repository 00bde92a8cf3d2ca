namespace Hub.Testing.Wire;

/// <summary>The SignalR hub message types the bench reacts to (the protocol's <c>type</c> numbers).</summary>
internal enum HubMessageKind
{
    Invocation = 1,
    Completion = 3,
    Ping = 6,
    Close = 7,
}
