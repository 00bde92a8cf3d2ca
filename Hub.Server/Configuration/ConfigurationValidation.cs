using Microsoft.Extensions.Options;

namespace Hub.Server.Configuration;

/// <summary>
/// Binds and validates every options class of the hub, as startup would, and collects every problem instead of
/// stopping at the first, so that one run names all the keys to fix.
/// </summary>
internal static class ConfigurationValidation
{
    /// <summary>The problems of the configuration behind <paramref name="services"/>, each naming its key; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var errors = new List<string>();
        foreach (var (type, _) in SettingsSchema.OptionsTypes)
        {
            Collect(errors, () => EffectiveSettings.ResolveOptions(services, type));
        }

        // Also the options validated at startup that no SectionName describes.
        Collect(errors, () => services.GetService<IStartupValidator>()?.Validate());
        return errors.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void Collect(List<string> errors, Action validate)
    {
        try
        {
            validate();
        }
        catch (Exception ex) when (ConfigurationErrors.TryDescribe(ex, out var messages))
        {
            errors.AddRange(messages);
        }
    }
}
