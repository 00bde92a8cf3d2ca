using System.Text.RegularExpressions;

namespace Hub.Tests.Architecture;

/// <summary>
/// Who may use whom among the <c>Hub.Server</c> folders, read from the table in the README's "Layout" section, the one
/// place it is written: a row <c>| `Folder` | `A`, `B` |</c> lets Folder use A and B; the row whose folder is
/// <c>every folder</c> names the leaves any other folder may use (a leaf itself uses only what its own row names).
/// </summary>
public sealed partial class LayerRules
{
    private const string EveryFolder = "every folder";

    private readonly Dictionary<string, HashSet<string>> _allowed;
    private readonly HashSet<string> _everywhere;

    private LayerRules(Dictionary<string, HashSet<string>> allowed, HashSet<string> everywhere)
    {
        _allowed = allowed;
        _everywhere = everywhere;
    }

    /// <summary>The folders the table names.</summary>
    public IReadOnlySet<string> Folders => new HashSet<string>(_allowed.Keys.Concat(_everywhere), StringComparer.Ordinal);

    /// <summary>The leaves: the folders every other folder may use.</summary>
    public IReadOnlySet<string> Leaves => _everywhere;

    /// <summary>Every use a row allows, as (folder, folder it may use).</summary>
    public IEnumerable<(string From, string To)> Allowed
        => _allowed.SelectMany(static row => row.Value.Select(to => (row.Key, to)));

    /// <summary>Reads the rules from the markdown table under the heading <c>### Who may use whom</c> in <paramref name="markdown"/>.</summary>
    public static LayerRules Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var section = markdown.IndexOf("### Who may use whom", StringComparison.Ordinal);
        if (section < 0)
        {
            throw new InvalidOperationException("The README has no '### Who may use whom' table.");
        }

        var allowed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var everywhere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in markdown[section..].Split('\n').Skip(1).SkipWhile(static l => !l.StartsWith('|')).TakeWhile(static l => l.StartsWith('|')))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 3 || cells[1].StartsWith("---", StringComparison.Ordinal) || cells[1] == "folder")
            {
                continue;
            }

            var uses = Name().Matches(cells[2]).Select(static m => m.Groups["name"].Value);
            if (cells[1] == EveryFolder)
            {
                everywhere.UnionWith(uses);
            }
            else
            {
                allowed[Name().Match(cells[1]).Groups["name"].Value] = new HashSet<string>(uses, StringComparer.Ordinal);
            }
        }

        return new LayerRules(allowed, everywhere);
    }

    /// <summary>The references the rules forbid, and references from or to a folder the table does not name.</summary>
    public IReadOnlyList<string> Violations(IEnumerable<FolderReference> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        var violations = new List<string>();
        foreach (var reference in references)
        {
            if (!_allowed.TryGetValue(reference.From, out var uses))
            {
                violations.Add($"{reference}: the layout table has no row for {reference.From}");
                continue;
            }

            // A leaf uses only what its own row names; every other folder may also use the leaves.
            var allowed = uses.Contains(reference.To) || (!_everywhere.Contains(reference.From) && _everywhere.Contains(reference.To));
            if (!allowed)
            {
                violations.Add($"{reference}, which the layout table does not allow");
            }
        }

        return violations;
    }

    /// <summary>A cycle among the folders <paramref name="references"/> connect, as the folders in order, or null when there is none.</summary>
    public static IReadOnlyList<string>? FindCycle(IEnumerable<FolderReference> references)
    {
        var edges = references.GroupBy(static r => r.From, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.Select(static r => r.To).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start, edges, done, path) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static List<string>? Visit(string folder, Dictionary<string, string[]> edges, HashSet<string> done, List<string> path)
    {
        var onPath = path.IndexOf(folder);
        if (onPath >= 0)
        {
            return [.. path.Skip(onPath), folder];
        }

        if (!done.Add(folder))
        {
            return null;
        }

        path.Add(folder);
        foreach (var next in edges.GetValueOrDefault(folder) ?? [])
        {
            if (Visit(next, edges, done, path) is { } cycle)
            {
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        return null;
    }

    [GeneratedRegex(@"`(?<name>[^`]+)`")]
    private static partial Regex Name();
}
