namespace Hub.Server.Listening;

/// <summary>
/// The lower-case names listener states are reported under, without formatting an enum on every collection.
/// </summary>
public static class ListenerStateNames
{
    private static readonly Dictionary<ListenerState, string> Names =
        Enum.GetValues<ListenerState>().ToDictionary(static s => s, static s => s.ToString().ToLowerInvariant());

    /// <summary>The name of <paramref name="state"/>, as <c>/api/stats</c> reports it too.</summary>
    public static string Of(ListenerState state) => Names[state];
}
