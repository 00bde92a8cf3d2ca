using Hub.Tests.Infrastructure;

namespace Hub.Tests.Architecture;

/// <summary>
/// The folders of <c>Hub.Server</c> use each other only as the README's layout table allows, and never in a cycle.
/// A failure names every offending file and line.
/// </summary>
public sealed class LayeringTests
{
    private static readonly LayerRules Rules = LayerRules.Parse(File.ReadAllText(RepositoryFiles.PathOf("README.md")));

    [Fact]
    public void Every_server_folder_uses_only_what_the_layout_table_allows()
    {
        var references = ServerReferences();

        var violations = Rules.Violations(references);

        Assert.True(violations.Count == 0, "Forbidden folder references:\n" + string.Join('\n', violations));
        Assert.NotEmpty(references);
    }

    [Fact]
    public void Server_folders_form_no_cycle()
    {
        var references = ServerReferences();

        var cycle = LayerRules.FindCycle(references);

        Assert.True(cycle is null, cycle is null ? null : $"Folders in a cycle: {string.Join(" -> ", cycle)}\n"
            + string.Join('\n', references.Where(r => Follows(cycle, r))));
    }

    [Fact]
    public void Every_server_folder_has_a_row_in_the_layout_table()
    {
        var missing = ServerFiles().Select(static f => SourceFolders.NamespaceOf(f.Path, f.Text)).Distinct().Where(static f => !Rules.Folders.Contains(f));

        Assert.Equal([], missing.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_layout_picture_draws_every_folder_of_the_table_and_each_above_what_it_uses()
    {
        var picture = LayerPicture.Parse(File.ReadAllText(RepositoryFiles.PathOf("README.md")));

        Assert.Equal(Rules.Leaves.Order(StringComparer.Ordinal), picture.Leaves.Order(StringComparer.Ordinal));
        Assert.Equal(Rules.Folders.Except(Rules.Leaves).Order(StringComparer.Ordinal), picture.Layers.Order(StringComparer.Ordinal));
        var upward = Rules.Allowed.Where(static use => !Rules.Leaves.Contains(use.To)).Where(use => !picture.IsAbove(use.From, use.To));
        Assert.Equal([], upward.Select(static use => $"{use.From} uses {use.To} but is not drawn above it"));
    }

    [Fact]
    public void Checker_reports_a_forbidden_edge_with_its_file_and_line_and_finds_a_cycle()
    {
        const string Markdown = """
            ### Who may use whom
            | folder | may use |
            |---|---|
            | `Top` | `Middle` |
            | `Middle` | `Bottom` |
            | `Bottom` | |
            | `Leaf` | |
            | every folder | `Leaf` |
            """;
        var rules = LayerRules.Parse(Markdown);
        var folders = rules.Folders;
        var references = new[]
        {
            ("Top/A.cs", "using Hub.Server.Middle;\nusing Hub.Server.Leaf;\nnamespace Hub.Server.Top;\n/// <see cref=\"Bottom.Thing\"/>\nclass A { string s = \"Hub.Server.Bottom.InAString\"; }\n"),
            ("Middle/B.cs", "namespace Hub.Server.Middle;\nclass B { Hub.Server.Bottom.C c; } // Hub.Server.Top.InAComment\n"),
            ("Bottom/C.cs", "namespace Hub.Server.Bottom;\nclass C { global::Hub.Server.Top.A a; }\n"),
            ("Leaf/D.cs", "namespace Hub.Server.Leaf;\nclass D { Hub.Server.Middle.B b; }\n"),
        }.SelectMany(f => SourceFolders.Read(f.Item1, f.Item2, folders)).ToArray();

        Assert.Equal(
            ["Top/A.cs:1: Top uses Middle", "Top/A.cs:2: Top uses Leaf", "Top/A.cs:4: Top uses Bottom", "Middle/B.cs:2: Middle uses Bottom", "Bottom/C.cs:2: Bottom uses Top", "Leaf/D.cs:2: Leaf uses Middle"],
            references.Select(static r => r.ToString()));
        Assert.Equal(
            ["Top/A.cs:4: Top uses Bottom, which the layout table does not allow", "Bottom/C.cs:2: Bottom uses Top, which the layout table does not allow", "Leaf/D.cs:2: Leaf uses Middle, which the layout table does not allow"],
            rules.Violations(references));
        Assert.Equal(["Bottom", "Top", "Bottom"], LayerRules.FindCycle(references));
        Assert.Null(LayerRules.FindCycle(references.Where(static r => r.From != "Bottom")));
    }

    private static bool Follows(IReadOnlyList<string> cycle, FolderReference reference)
    {
        for (var i = 0; i + 1 < cycle.Count; i++)
        {
            if (cycle[i] == reference.From && cycle[i + 1] == reference.To)
            {
                return true;
            }
        }

        return false;
    }

    private static FolderReference[] ServerReferences()
        => [.. ServerFiles().SelectMany(static f => SourceFolders.Read(f.Path, f.Text, Rules.Folders))];

    private static IEnumerable<(string Path, string Text)> ServerFiles()
    {
        var root = RepositoryFiles.PathOf("Hub.Server");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(static path => !path.StartsWith("obj/", StringComparison.Ordinal) && !path.StartsWith("bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => (path, File.ReadAllText(Path.Combine(root, path))));
    }
}
