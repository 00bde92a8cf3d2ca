using Hub.Server.Hosting;

namespace Hub.Server.Publishing;

/// <summary>
/// Registers the <c>Publish</c> hub method's services.
/// </summary>
public static class PublishServiceCollectionExtensions
{
    /// <summary>Adds publishing through bounded per-database pools, configured by <c>Hub:Publish</c>.</summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PublishOptions, PublishOptionsValidator>(configuration, PublishOptions.SectionName);
        services.AddSingleton<PublisherPools>();
        services.AddSingleton<PublishService>();
        return services;
    }
}
