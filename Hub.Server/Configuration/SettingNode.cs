namespace Hub.Server.Configuration;

/// <summary>
/// One key of the configuration the hub's options classes understand: a value, an object with named
/// settings, a dictionary (any key) or a list (numbered keys). Configuration keys are case-insensitive, so
/// names are too.
/// </summary>
internal sealed class SettingNode
{
    private readonly Dictionary<string, SettingNode> _children = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether this key holds a value rather than settings of its own.</summary>
    public bool IsValue { get; set; }

    /// <summary>What every key under a dictionary setting is, when this is one.</summary>
    public SettingNode? AnyKey { get; set; }

    /// <summary>What every numbered key under a list setting is, when this is one.</summary>
    public SettingNode? AnyIndex { get; set; }

    /// <summary>The named settings of an object.</summary>
    public IReadOnlyDictionary<string, SettingNode> Children => _children;

    /// <summary>The node for <paramref name="name"/>, created when absent, so that sections bound by several options classes merge.</summary>
    public SettingNode GetOrAdd(string name)
    {
        if (!_children.TryGetValue(name, out var child))
        {
            child = new SettingNode();
            _children[name] = child;
        }

        return child;
    }

    /// <summary>The node a configuration key segment under this one stands for, or null when no options class knows it.</summary>
    public SettingNode? Find(string segment)
    {
        if (_children.TryGetValue(segment, out var named))
        {
            return named;
        }

        if (AnyIndex is not null && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return AnyIndex;
        }

        return AnyKey;
    }
}
