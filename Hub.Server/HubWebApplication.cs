namespace Hub.Server;

/// <summary>
/// Creates the hub's <see cref="WebApplicationBuilder"/>.
/// </summary>
public static class HubWebApplication
{
    private const string SettingsFile = "appsettings.json";

    /// <summary>
    /// A builder like <see cref="WebApplication.CreateBuilder(string[])"/>'s, except that the content root (where
    /// <c>appsettings.json</c> is read from) is the application's folder when the working directory has no
    /// <c>appsettings.json</c> and no content root was given (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>,
    /// <c>DOTNET_CONTENTROOT</c>).
    /// </summary>
    /// <remarks>
    /// Started from another folder (<c>dotnet /opt/hub/Hub.Server.dll</c>), the stock builder silently reads no
    /// settings file, and with it loses the logging filters and every default the file sets.
    /// </remarks>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args) });
    }

    /// <summary>The content root to use, or null to keep the framework's choice.</summary>
    public static string? ContentRoot(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var given = args.Any(static a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        if (given || File.Exists(Path.Combine(Directory.GetCurrentDirectory(), SettingsFile)))
        {
            return null;
        }

        return File.Exists(Path.Combine(AppContext.BaseDirectory, SettingsFile)) ? AppContext.BaseDirectory : null;
    }
}
