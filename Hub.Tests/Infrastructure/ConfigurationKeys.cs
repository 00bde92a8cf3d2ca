using System.Collections;
using System.Globalization;
using System.Reflection;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// Turns a typed options object into the configuration keys the hub binds it from, writing only what differs from a
/// new instance: the keys a person would put in appsettings.json to get the same options.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>Adds the keys of <paramref name="options"/> under <paramref name="section"/> to <paramref name="keys"/>.</summary>
    public static void Write(string section, object options, IDictionary<string, string?> keys)
    {
        var defaults = Activator.CreateInstance(options.GetType());
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // Only what the binder can set; computed properties (e.g. "Enabled") are not configuration.
            if (property.GetSetMethod() is null || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var value = property.GetValue(options);
            if (!Same(value, defaults is null ? null : property.GetValue(defaults)))
            {
                WriteValue($"{section}:{property.Name}", value, keys);
            }
        }
    }

    private static void WriteValue(string key, object? value, IDictionary<string, string?> keys)
    {
        switch (value)
        {
            case null:
                keys[key] = null;
                break;
            case string or bool or Enum or Uri:
                keys[key] = value.ToString();
                break;
            case IFormattable formattable:
                keys[key] = formattable.ToString(null, CultureInfo.InvariantCulture);
                break;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    WriteValue($"{key}:{entry.Key}", entry.Value, keys);
                }

                break;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    WriteValue(string.Create(CultureInfo.InvariantCulture, $"{key}:{index++}"), item, keys);
                }

                break;
            default:
                Write(key, value, keys);
                break;
        }
    }

    private static bool Same(object? value, object? defaultValue) => (value, defaultValue) switch
    {
        (null, null) => true,
        (string or IFormattable or bool or Enum or Uri, _) => Equals(value, defaultValue),
        (IEnumerable items, IEnumerable defaults) => !items.Cast<object?>().Any() && !defaults.Cast<object?>().Any(),
        _ => false,
    };
}
