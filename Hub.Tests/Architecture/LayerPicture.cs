namespace Hub.Tests.Architecture;

/// <summary>
/// The picture above the README's layout table: one layer per line, top to bottom (<c>Hub.Server</c> for the root;
/// <c>A · B</c> draws A above B on one line), and a last line naming the leaves after <c>leaves ...:</c>.
/// </summary>
public sealed class LayerPicture
{
    private readonly Dictionary<string, int> _rank;

    private LayerPicture(Dictionary<string, int> rank, HashSet<string> leaves)
    {
        _rank = rank;
        Leaves = leaves;
    }

    /// <summary>The layers drawn, top to bottom, leaves not included.</summary>
    public IReadOnlyList<string> Layers => [.. _rank.OrderBy(static p => p.Value).Select(static p => p.Key)];

    /// <summary>The folders the leaves line names.</summary>
    public IReadOnlySet<string> Leaves { get; }

    /// <summary>Reads the first code block under <c>### Who may use whom</c>.</summary>
    public static LayerPicture Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var section = markdown.IndexOf("### Who may use whom", StringComparison.Ordinal);
        var open = markdown.IndexOf("```\n", section, StringComparison.Ordinal);
        var close = markdown.IndexOf("\n```", open + 4, StringComparison.Ordinal);
        if (section < 0 || open < 0 || close < 0)
        {
            throw new InvalidOperationException("The README has no picture under '### Who may use whom'.");
        }

        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in markdown[(open + 4)..close].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var leavesAt = line.IndexOf(':', StringComparison.Ordinal);
            if (line.StartsWith("leaves", StringComparison.Ordinal) && leavesAt > 0)
            {
                leaves.UnionWith(line[(leavesAt + 1)..].Split('·').Select(FirstWord));
                continue;
            }

            // The names come before the dots that lead to a layer's description.
            var dots = line.IndexOf("..", StringComparison.Ordinal);
            foreach (var name in (dots < 0 ? line : line[..dots]).Split('·').Select(FirstWord))
            {
                rank[name == "Hub.Server" ? SourceFolders.Root : name] = rank.Count;
            }
        }

        return new LayerPicture(rank, leaves);
    }

    /// <summary>Whether <paramref name="folder"/> is drawn above <paramref name="used"/>.</summary>
    public bool IsAbove(string folder, string used)
        => _rank.TryGetValue(folder, out var top) && _rank.TryGetValue(used, out var bottom) && top < bottom;

    private static string FirstWord(string text) => text.Trim().Split(' ', 2)[0];
}
