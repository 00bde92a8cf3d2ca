using Hub.Server.Databases;
using Microsoft.Extensions.Options;

namespace Hub.Server.Security;

/// <summary>
/// Says at startup how the hub is exposed: loudly when anyone may connect, and which databases it serves,
/// with their connection strings redacted.
/// </summary>
internal sealed class SecurityStartupReport(
    IOptions<AuthOptions> auth,
    IOptions<HubCorsOptions> cors,
    DatabaseRegistry registry,
    ILogger<SecurityStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = auth.Value;
        if (settings.AnonymousAllowed)
        {
            SecurityLog.AnonymousAccessEnabled(logger, settings.AnonymousMayPublish ? " and publish to every database" : " (but not publish)");
        }

        if (settings.TokensConfigured)
        {
            SecurityLog.TokenAuthentication(
                logger,
                settings.Issuer,
                settings.Audience,
                settings.Authority,
                string.IsNullOrWhiteSpace(settings.SigningKey) ? "none" : "configured",
                settings.DatabaseClaim,
                settings.PublishClaim);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            foreach (var database in registry.Databases)
            {
                var redacted = ConnectionStrings.Redact(database.ConnectionString);
                SecurityLog.DatabaseConfigured(logger, database.Name, redacted, database.Channels);
            }
        }

        if (cors.Value.AllowedOrigins.Count > 0)
        {
            SecurityLog.CorsOrigins(logger, cors.Value.AllowedOrigins);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
