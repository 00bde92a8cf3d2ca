using Microsoft.Extensions.Options;

namespace Hub.Server.Hosting;

/// <summary>
/// Registers an options class the way every part of the hub does: bound from one configuration section and
/// checked by its validator when the host starts, so a bad key stops the hub with a message that names it.
/// </summary>
public static class ValidatedOptionsServiceCollectionExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="sectionName"/> and validates it at startup with <typeparamref name="TValidator"/>.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(sectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services;
    }
}
