using System.Text.RegularExpressions;

namespace Hub.Tests.Architecture;

/// <summary>
/// Reads which <c>Hub.Server</c> folders a C# file uses: its <c>using Hub.Server.X</c> lines, every fully qualified
/// <c>Hub.Server.X.</c> in its code, and <c>cref</c>s that start with a folder name (a doc comment's reference is a
/// compile-time dependency too). A file's own folder is its namespace; a file without one (top-level statements:
/// <c>Program.cs</c>) belongs to the root. String literals and plain comments are skipped. Not a C# parser: a small
/// reader that knows the shapes this code base uses.
/// </summary>
public static partial class SourceFolders
{
    /// <summary>The name the checker gives the root namespace (<c>Program.cs</c> and the composition extensions).</summary>
    public const string Root = "(root)";

    /// <summary>Every reference from <paramref name="text"/>'s folder to another folder, with its line.</summary>
    public static IReadOnlyList<FolderReference> Read(string file, string text, IReadOnlySet<string> folders)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(folders);
        var from = NamespaceOf(file, text);
        var references = new List<FolderReference>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            IEnumerable<string> used;
            if (line.StartsWith("///", StringComparison.Ordinal))
            {
                used = Cref().Matches(line).Select(static m => m.Groups["folder"].Value);
            }
            else if (line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            else
            {
                var code = StringLiteral().Replace(line, "\"\"");
                var comment = code.IndexOf("//", StringComparison.Ordinal);
                code = comment >= 0 ? code[..comment] : code;
                used = Qualified().Matches(code).Select(static m => m.Groups["folder"].Value);
            }

            foreach (var folder in used.Where(f => folders.Contains(f) && f != from).Distinct())
            {
                references.Add(new FolderReference(from, folder, file, i + 1));
            }
        }

        return references;
    }

    /// <summary>The folder <paramref name="text"/> declares as its namespace.</summary>
    public static string NamespaceOf(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Namespace().Match(text) is { Success: true } match)
        {
            return match.Groups["folder"].Success ? match.Groups["folder"].Value : Root;
        }

        return OtherNamespace().IsMatch(text)
            ? throw new InvalidOperationException($"{file}: its namespace is not Hub.Server or one of its folders.")
            : Root;
    }

    [GeneratedRegex(@"^namespace Hub\.Server(?:\.(?<folder>\w+))?(?:\.\w+)*\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^namespace ", RegexOptions.Multiline)]
    private static partial Regex OtherNamespace();

    // "using Hub.Server.X;", "using A = Hub.Server.X.Y;", "global::Hub.Server.X.Y" and "Hub.Server.X.Y" in code.
    [GeneratedRegex(@"(?<![\w.])(?:global::)?Hub\.Server\.(?<folder>\w+)\b")]
    private static partial Regex Qualified();

    // cref="X.Y" or cref="Hub.Server.X.Y": a partly qualified name resolves against the enclosing Hub.Server namespace.
    [GeneratedRegex(@"cref=""(?:Hub\.Server\.)?(?<folder>\w+)\.")]
    private static partial Regex Cref();

    [GeneratedRegex(@"@?""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();
}
