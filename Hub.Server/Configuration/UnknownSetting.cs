namespace Hub.Server.Configuration;

/// <summary>A configuration key under <c>Hub:</c> that no options class binds, and the known key it most likely meant.</summary>
internal sealed record UnknownSetting(string Key, string? Suggestion)
{
    /// <summary>The warning an operator reads, naming the key and the likely intended one.</summary>
    public string Describe()
        => Suggestion is null
            ? $"{Key} is not a known setting and is ignored"
            : $"{Key} is not a known setting and is ignored; did you mean {Suggestion}?";
}
