using Microsoft.Extensions.Options;

namespace Hub.Server.Publishing;

/// <summary>
/// Registers the <c>Publish</c> hub method's services.
/// </summary>
public static class PublishServiceCollectionExtensions
{
    /// <summary>Adds publishing through bounded per-database pools, configured by <c>Hub:Publish</c>.</summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PublishOptions>()
            .Bind(configuration.GetSection(PublishOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PublishOptions>, PublishOptionsValidator>();
        services.AddSingleton<PublisherPools>();
        services.AddSingleton<PublishService>();
        return services;
    }
}
