namespace Hub.Server;

/// <summary>
/// Where the hub reads <c>appsettings.json</c> from: the application's folder when the working directory has no
/// <c>appsettings.json</c> and no content root was given (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>,
/// <c>DOTNET_CONTENTROOT</c>).
/// </summary>
/// <remarks>
/// Started from another folder (<c>dotnet /opt/hub/Hub.Server.dll</c>), the stock builder silently reads no settings
/// file, and with it loses the logging filters and every default the file sets.
/// </remarks>
public static class HubContentRoot
{
    private const string SettingsFile = "appsettings.json";

    /// <summary>The content root to use, or null to keep the framework's choice.</summary>
    public static string? For(string[] args)
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
