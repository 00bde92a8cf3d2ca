using Hub.Server.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Registers authentication, authorization and CORS of the hub.
/// </summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Adds JWT bearer authentication (<c>Hub:Auth</c>), the hub and management policies (<c>Hub:Management</c>),
    /// per-database authorization, the CORS allow-list of <c>Hub:Cors</c>, and logging that never writes a refusal's
    /// stack trace or a token from a URL.
    /// </summary>
    public static IServiceCollection AddHubSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            // Unset means: open only on a developer's machine.
            .PostConfigure<IHostEnvironment>(static (options, environment) => options.AllowAnonymous ??= environment.IsDevelopment())
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddValidatedOptions<ManagementOptions, ManagementOptionsValidator>(configuration, ManagementOptions.SectionName);
        services.AddOptions<ManagementOptions>().PostConfigure<IOptions<AuthOptions>>(static (management, auth) => management.AllowAnonymous ??= auth.Value.AnonymousAllowed);
        services.AddOptions<HubCorsOptions>().Bind(configuration.GetSection(HubCorsOptions.SectionName));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthorization();
        services.AddSingleton<IConfigureOptions<AuthorizationOptions>, AuthorizationSetup>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.AddSingleton<DatabaseAuthorizer>();
        services.AddSingleton<HubCallGuard>();
        services.AddHostedService<SecurityStartupReport>();

        services.AddSingleton<HubFailureLogFilter>();
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, DispatcherErrorLogFilter>();
        services.AddAccessTokenRedaction();
        // Added after every other filter (a post-configure), so that it is the innermost: it sees what the hub method
        // throws, and a call the limits refuse never passes through it, whose refusal SignalR then throws only once.
        services.AddOptions<HubOptions>().PostConfigure(static hub => hub.AddFilter<HubFailureLogFilter>());

        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<HubCorsOptions>>(static (cors, hub) =>
        {
            var origins = hub.Value.AllowedOrigins.Where(static o => !string.IsNullOrWhiteSpace(o)).ToArray();
            if (origins.Length > 0)
            {
                // SignalR's browser client sends credentials (cookies, the negotiate request), so origins must be exact.
                cors.AddDefaultPolicy(policy => policy.WithOrigins(origins).AllowAnyHeader().WithMethods("GET", "POST").AllowCredentials());
            }
        });
        services.AddTransient<IStartupFilter, SecurityHeadersStartupFilter>();
        services.AddTransient<IStartupFilter, HubCorsStartupFilter>();
        return services;
    }
}
