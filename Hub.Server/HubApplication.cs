using Hub.Server.LivePage;
using Hub.Server.Security;

namespace Hub.Server;

/// <summary>
/// Composes the hub application: the one place that decides which services and middleware a hub runs with, so the
/// deployed process and an in-process host built by the tests are the same application.
/// </summary>
public static class HubApplication
{
    /// <summary>Builds the hub from the command line and the usual configuration sources.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="configureServices">Runs after the hub's services are added (see the other overload).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configureServices = null)
        => Build(new WebApplicationOptions { Args = args, ContentRootPath = HubContentRoot.For(args) }, configureServices: configureServices);

    /// <summary>Builds the hub.</summary>
    /// <param name="options">The host's options (arguments, environment, content root).</param>
    /// <param name="configureHost">
    /// Runs before the hub's services are added: the place for configuration sources, logging and URLs, which the
    /// hub reads while it registers its services.
    /// </param>
    /// <param name="configureServices">Runs after the hub's services are added, so a registration here replaces the hub's.</param>
    public static WebApplication Build(
        WebApplicationOptions options, Action<WebApplicationBuilder>? configureHost = null, Action<WebApplicationBuilder>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(options);
        configureHost?.Invoke(builder);
        builder.Services.AddNotificationHub(builder.Configuration);
        configureServices?.Invoke(builder);

        var app = builder.Build();
        app.UseLivePage();
        app.UseNegotiateLimits();
        app.MapNotificationHub();
        return app;
    }
}
