using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Puts <see cref="TokenRedactingLoggerFactory"/> around the logger factory the host registered.
/// </summary>
public static class LoggingRedactionServiceCollectionExtensions
{
    /// <summary>
    /// Replaces the registered <see cref="ILoggerFactory"/> by one that masks <c>access_token</c> values in every
    /// entry. Call it after the host has added logging (as <c>WebApplication.CreateBuilder</c> does).
    /// </summary>
    public static IServiceCollection AddAccessTokenRedaction(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.LastOrDefault(static d => d.ServiceType == typeof(ILoggerFactory));
        if (registered?.ImplementationFactory?.Method.DeclaringType == typeof(LoggingRedactionServiceCollectionExtensions))
        {
            return services;
        }

        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new TokenRedactingLoggerFactory(CreateInner(sp, registered))));
        return services;
    }

    private static ILoggerFactory CreateInner(IServiceProvider services, ServiceDescriptor? registered) => registered switch
    {
        { ImplementationInstance: ILoggerFactory instance } => instance,
        { ImplementationFactory: { } factory } => (ILoggerFactory)factory(services),
        { ImplementationType: { } type } when type != typeof(LoggerFactory) => (ILoggerFactory)ActivatorUtilities.CreateInstance(services, type),
        // The constructor the container would pick for the framework's factory.
        _ => new LoggerFactory(
            services.GetServices<ILoggerProvider>(),
            services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            services.GetService<IOptions<LoggerFactoryOptions>>(),
            services.GetService<IExternalScopeProvider>()),
    };
}
