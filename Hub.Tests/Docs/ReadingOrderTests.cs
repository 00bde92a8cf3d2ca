using System.Text.RegularExpressions;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Docs;

/// <summary>
/// The README's reading orders ("Follow one NOTIFY", "Follow one outbox event") name files that exist, and each hop
/// leads to the next: a file of one hop names a type of the hop before it, or is named by one.
/// </summary>
public sealed partial class ReadingOrderTests
{
    [Theory]
    [InlineData("### Follow one NOTIFY")]
    [InlineData("### Follow one outbox event")]
    public void Every_file_a_reading_order_names_exists(string heading)
    {
        var missing = Hops(heading).SelectMany(static hop => hop).Where(static file => !File.Exists(PathOf(file)));

        Assert.Equal([], missing);
    }

    [Fact]
    public void Each_hop_of_one_NOTIFY_leads_to_the_next()
    {
        var hops = Hops("### Follow one NOTIFY");
        Assert.True(hops.Count >= 5, $"the reading order has {hops.Count} hops");

        var unlinked = new List<string>();
        for (var i = 1; i < hops.Count; i++)
        {
            var linked = hops[i].Any(next => hops[i - 1].Any(previous => Names(previous, next) || Names(next, previous)));
            if (!linked)
            {
                unlinked.Add($"hop {i + 1} ({string.Join(", ", hops[i])}) has no file that names, or is named by, one of hop {i} ({string.Join(", ", hops[i - 1])})");
            }
        }

        Assert.Equal([], unlinked);
    }

    /// <summary>The files each numbered hop under <paramref name="heading"/> names, in order.</summary>
    private static List<string[]> Hops(string heading)
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));
        var start = readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"the README has no '{heading}'");
        var end = readme.IndexOf("\n### ", start + heading.Length, StringComparison.Ordinal);
        var hops = new List<string[]>();
        foreach (Match hop in Hop().Matches(readme[start..(end < 0 ? readme.Length : end)]))
        {
            hops.Add([.. FilePath().Matches(hop.Value).Select(static m => m.Groups["path"].Value).Distinct(StringComparer.Ordinal)]);
        }

        return hops;
    }

    /// <summary>Whether <paramref name="file"/> mentions the type <paramref name="other"/> is named after (a missing file names nothing).</summary>
    private static bool Names(string file, string other)
    {
        var type = Path.GetFileNameWithoutExtension(other);
        return file != other && File.Exists(PathOf(file)) && Regex.IsMatch(File.ReadAllText(PathOf(file)), $@"\b{Regex.Escape(type)}\b");
    }

    private static string PathOf(string file)
        => file.StartsWith("scripts/", StringComparison.Ordinal) ? RepositoryFiles.PathOf(file) : RepositoryFiles.PathOf("Hub.Server", file);

    // A numbered item and its indented continuation lines.
    [GeneratedRegex(@"^\d+\. .*(?:\n {3}.*)*", RegexOptions.Multiline)]
    private static partial Regex Hop();

    [GeneratedRegex(@"`(?<path>[A-Za-z]+/[A-Za-z.]+\.(?:cs|sql))`")]
    private static partial Regex FilePath();
}
