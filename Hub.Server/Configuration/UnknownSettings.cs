namespace Hub.Server.Configuration;

/// <summary>
/// Finds the keys under <c>Hub:</c> that no options class binds, which the configuration binder would otherwise
/// ignore without a word (a typo such as <c>Hub__Listener__SubscribeTimout</c> leaves the default in force).
/// </summary>
internal static class UnknownSettings
{
    /// <summary>Every unknown key of <paramref name="configuration"/>, in key order, each with the closest known key.</summary>
    public static IReadOnlyList<UnknownSetting> Find(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var unknown = new List<UnknownSetting>();
        Walk(configuration.GetSection(SettingsSchema.RootSection), SettingsSchema.Root, unknown);
        unknown.Sort(static (a, b) => string.Compare(a.Key, b.Key, StringComparison.OrdinalIgnoreCase));
        return unknown;
    }

    private static void Walk(IConfigurationSection section, SettingNode node, List<UnknownSetting> unknown)
    {
        foreach (var child in section.GetChildren())
        {
            var known = node.IsValue ? null : node.Find(child.Key);
            if (known is null)
            {
                var corrected = node.IsValue ? null : ClosestName(child.Key, node.Children.Keys);
                ReportLeaves(child, section.Path, corrected, unknown);
            }
            else
            {
                Walk(child, known, unknown);
            }
        }
    }

    /// <summary>Reports every key under an unknown one, since each of them is ignored, with the segment corrected when a close name exists.</summary>
    private static void ReportLeaves(IConfigurationSection unknownSection, string parentPath, string? correctedName, List<UnknownSetting> unknown)
    {
        var prefix = unknownSection.Path;
        var leaves = Leaves(unknownSection).ToList();
        foreach (var leaf in leaves)
        {
            string? suggestion = null;
            if (correctedName is not null)
            {
                suggestion = ConfigurationPath.Combine(parentPath, correctedName) + leaf.Path[prefix.Length..];
            }

            unknown.Add(new UnknownSetting(leaf.Path, suggestion));
        }
    }

    private static IEnumerable<IConfigurationSection> Leaves(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            yield return section;
            yield break;
        }

        foreach (var leaf in children.SelectMany(Leaves))
        {
            yield return leaf;
        }
    }

    /// <summary>The known name nearest to <paramref name="name"/>, when it is near enough to be a typo of it.</summary>
    private static string? ClosestName(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // A third of the name (at least two edits) still reads as a typo; more is another word.
        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
