using System.Collections;
using System.ComponentModel;
using System.Reflection;

namespace Hub.Server.Configuration;

/// <summary>
/// The tree of <c>Hub:</c> keys that the hub's options classes bind, read from the classes themselves so that a new
/// option is known the moment it exists. An options class takes part by declaring its section in a public
/// <c>SectionName</c> constant, as every options class of the hub does.
/// </summary>
internal static class SettingsSchema
{
    /// <summary>The configuration section every hub option lives under.</summary>
    public const string RootSection = "Hub";

    // Deep enough for any options class; stops a type that refers to itself.
    private const int MaxDepth = 8;

    /// <summary>The options classes of the hub and the section each is bound from.</summary>
    public static IReadOnlyList<(Type Type, string Section)> OptionsTypes { get; } = FindOptionsTypes();

    /// <summary>The root <c>Hub</c> node with every key the options classes know.</summary>
    public static SettingNode Root { get; } = Build();

    /// <summary>The settable properties the configuration binder fills on <paramref name="type"/>.</summary>
    public static IEnumerable<PropertyInfo> BoundProperties(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null
                // The binder sets public setters and fills get-only collections and objects in place.
                && (p.SetMethod?.IsPublic == true || !IsValueType(p.PropertyType)));

    /// <summary>
    /// The configuration key of <paramref name="property"/> under <paramref name="parentKey"/>: its own name there, or,
    /// for a property read from a key outside its section, the key its class names in a public constant called after
    /// the property (<c>ScaleOutOptions.RedisKey = "Hub:Redis"</c> for <c>ScaleOutOptions.Redis</c>).
    /// </summary>
    public static string KeyOf(PropertyInfo property, string parentKey)
    {
        ArgumentNullException.ThrowIfNull(property);
        var field = property.DeclaringType?.GetField(property.Name + "Key", BindingFlags.Public | BindingFlags.Static);
        return field is { IsLiteral: true } && field.GetRawConstantValue() is string key
            && (key == RootSection || key.StartsWith(RootSection + ":", StringComparison.Ordinal))
            ? key
            : ConfigurationPath.Combine(parentKey, property.Name);
    }

    /// <summary>Whether the binder converts <paramref name="type"/> from one string (a value, not a section).</summary>
    public static bool IsValueType(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) || underlying.IsPrimitive || underlying.IsEnum
            || TypeDescriptor.GetConverter(underlying).CanConvertFrom(typeof(string));
    }

    /// <summary>The value type of a dictionary with string keys, or null when <paramref name="type"/> is none.</summary>
    public static Type? DictionaryValueType(Type type)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary?.GetGenericArguments() is [var key, var value] && key == typeof(string) ? value : null;
    }

    /// <summary>The element type of a list or array, or null when <paramref name="type"/> is none.</summary>
    public static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static List<(Type Type, string Section)> FindOptionsTypes()
    {
        var found = new List<(Type Type, string Section)>();
        foreach (var type in typeof(SettingsSchema).Assembly.GetTypes().Where(static t => t.IsClass && t.IsPublic))
        {
            var field = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static);
            if (field is { IsLiteral: true } && field.GetRawConstantValue() is string section
                && (section == RootSection || section.StartsWith(RootSection + ":", StringComparison.Ordinal)))
            {
                found.Add((type, section));
            }
        }

        return found;
    }

    private static SettingNode Build()
    {
        var root = new SettingNode();
        foreach (var (type, section) in OptionsTypes)
        {
            AddObject(root, section, type, 0);
        }

        return root;
    }

    private static SettingNode NodeAt(SettingNode root, string key)
    {
        var node = root;
        foreach (var segment in key.Split(':').Skip(1))
        {
            node = node.GetOrAdd(segment);
        }

        return node;
    }

    private static void Add(SettingNode node, Type type, int depth)
    {
        if (IsValueType(type) || depth > MaxDepth)
        {
            node.IsValue = true;
        }
        else if (DictionaryValueType(type) is { } value)
        {
            node.AnyKey ??= new SettingNode();
            Add(node.AnyKey, value, depth + 1);
        }
        else if (ElementType(type) is { } element)
        {
            node.AnyIndex ??= new SettingNode();
            Add(node.AnyIndex, element, depth + 1);
        }
        else
        {
            foreach (var property in BoundProperties(type))
            {
                Add(node.GetOrAdd(property.Name), property.PropertyType, depth + 1);
            }
        }
    }

    /// <summary>Adds the settings of an options class bound at <paramref name="section"/>, each at its own key.</summary>
    private static void AddObject(SettingNode root, string section, Type type, int depth)
    {
        foreach (var property in BoundProperties(type))
        {
            Add(NodeAt(root, KeyOf(property, section)), property.PropertyType, depth + 1);
        }
    }
}
