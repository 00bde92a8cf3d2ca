using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Hub.Server.Configuration;

/// <summary>
/// The settings the hub runs with, defaults included, read from its bound options (after post-configuration, so
/// what was resolved at startup shows), as <c>Hub:Section:Key = value</c> lines with secrets masked.
/// </summary>
internal static class EffectiveSettings
{
    private const int MaxDepth = 8;

    /// <summary>Each effective setting, in key order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = new List<KeyValuePair<string, string>>();
        foreach (var (type, section) in SettingsSchema.OptionsTypes)
        {
            var value = ResolveOptions(services, type);
            if (value is not null)
            {
                AddObject(section, value, settings, 0);
            }
        }

        settings.Sort(static (a, b) => string.Compare(a.Key, b.Key, StringComparison.OrdinalIgnoreCase));
        return settings;
    }

    /// <summary>The bound value of the options class <paramref name="type"/>, or null when it is not registered.</summary>
    public static object? ResolveOptions(IServiceProvider services, Type type)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsType = typeof(IOptions<>).MakeGenericType(type);
        var options = services.GetService(optionsType);
        return options is null ? null : optionsType.GetProperty(nameof(IOptions<object>.Value))!.GetValue(options);
    }

    private static void Add(string key, object? value, Type type, List<KeyValuePair<string, string>> settings, int depth)
    {
        if (value is null)
        {
            settings.Add(new(key, "(not set)"));
        }
        else if (SettingsSchema.IsValueType(type) || depth > MaxDepth)
        {
            settings.Add(new(key, SecretRedaction.Redact(key, Format(value)) ?? string.Empty));
        }
        else if (value is IDictionary dictionary)
        {
            var valueType = SettingsSchema.DictionaryValueType(type) ?? typeof(object);
            foreach (DictionaryEntry entry in dictionary)
            {
                Add(ConfigurationPath.Combine(key, Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!), entry.Value, valueType, settings, depth + 1);
            }
        }
        else if (SettingsSchema.ElementType(type) is { } elementType && value is IEnumerable items)
        {
            var index = 0;
            foreach (var item in items)
            {
                Add(ConfigurationPath.Combine(key, index.ToString(CultureInfo.InvariantCulture)), item, elementType, settings, depth + 1);
                index++;
            }
        }
        else
        {
            AddObject(key, value, settings, depth);
        }
    }

    private static void AddObject(string key, object value, List<KeyValuePair<string, string>> settings, int depth)
    {
        foreach (var property in SettingsSchema.BoundProperties(value.GetType()))
        {
            Add(SettingsSchema.KeyOf(property, key), property.GetValue(value), property.PropertyType, settings, depth + 1);
        }
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
