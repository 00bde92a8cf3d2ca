using Hub.Server.Databases;
using Hub.Server.Hosting;

namespace Hub.Server.Tenants;

/// <summary>
/// Registers tenant databases admitted by name.
/// </summary>
public static class TenantServiceCollectionExtensions
{
    /// <summary>Adds the <see cref="TenantDirectory"/> configured by <c>Hub:Tenants</c> (admitting none when unset).</summary>
    public static IServiceCollection AddTenantDatabases(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TenantOptions, TenantOptionsValidator>(configuration, TenantOptions.SectionName);
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ITenantDatabases>(static sp => sp.GetRequiredService<TenantDirectory>());
        return services;
    }
}
