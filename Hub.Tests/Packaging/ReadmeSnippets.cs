using System.Text.RegularExpressions;

namespace Hub.Tests.Packaging;

/// <summary>Code blocks of a Markdown file, so that tests compile and run what the documentation shows.</summary>
public static partial class ReadmeSnippets
{
    /// <summary>The first <paramref name="language"/> code block after the heading <paramref name="heading"/>.</summary>
    public static string After(string markdownPath, string heading, string language)
    {
        var text = File.ReadAllText(markdownPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{markdownPath} has no heading '{heading}'");
        var block = CodeBlock().Match(text, start);
        Assert.True(block.Success && block.Groups["language"].Value == language, $"no ```{language} block after '{heading}' in {markdownPath}");
        return block.Groups["code"].Value;
    }

    [GeneratedRegex(@"```(?<language>\w+)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
