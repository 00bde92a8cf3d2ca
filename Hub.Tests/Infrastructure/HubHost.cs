using Hub.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The real hub, in this process, on a real Kestrel port on loopback. Stopping and starting again keeps the port,
/// so clients can reconnect to "the same server".
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private WebApplication? _app;

    public HubHost(IDictionary<string, string?> settings, int? port = null)
    {
        _settings = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        Port = port ?? FreePort.Next();
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public Uri HubUrl => new(BaseUrl, "/hubs/notifications");

    /// <summary>A last chance to change the host before it is built (extra URLs, logging providers, services).</summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The hub is not running.");

    /// <summary>Settings for one database with the given channels, plus short listener timings suited to tests.</summary>
    public static Dictionary<string, string?> SettingsFor(string database, string connectionString, params string[] channels)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"Hub:Databases:{database}:ConnectionString"] = connectionString,
            ["Hub:Listener:IdleGracePeriod"] = "00:00:01",
            ["Hub:Listener:ReconnectInitialDelay"] = "00:00:00.100",
            ["Hub:Listener:ReconnectMaxDelay"] = "00:00:01",
            // Tests that check authentication turn this off and configure keys.
            ["Hub:Auth:AllowAnonymous"] = "true",
        };
        for (var i = 0; i < channels.Length; i++)
        {
            settings[$"Hub:Databases:{database}:Channels:{i}"] = channels[i];
        }

        return settings;
    }

    public static async Task<HubHost> StartAsync(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var host = new HubHost(settings) { ConfigureBuilder = configureBuilder };
        await host.StartAsync();
        return host;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.Logging.ClearProviders();
        // HUB_TEST_LOG_LEVEL=Debug shows the hub's logs when running the test executable directly.
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("HUB_TEST_LOG_LEVEL"), out var configured) ? configured : LogLevel.Warning;
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(level);
        builder.WebHost.UseUrls(BaseUrl.ToString());
        builder.Services.AddNotificationHub(builder.Configuration);
        ConfigureBuilder?.Invoke(builder);
        var app = builder.Build();
        app.MapNotificationHub();
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
