using Hub.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The real hub, composed by <see cref="HubApplication"/> exactly as the deployed process is, in this process on a
/// real Kestrel port on loopback. Stopping and starting again keeps the port, so clients can reconnect to "the same
/// server".
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _configuration;
    private WebApplication? _app;

    public HubHost(HubSettings settings, int? port = null)
    {
        _configuration = settings.ToConfiguration();
        Port = port ?? FreePort.Next();
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public Uri HubUrl => new(BaseUrl, "/hubs/notifications");

    /// <summary>Runs before the hub's services are added: extra URLs, logging providers.</summary>
    public Action<WebApplicationBuilder>? ConfigureHost { get; init; }

    /// <summary>Runs after the hub's services are added: a registration here replaces the hub's.</summary>
    public Action<WebApplicationBuilder>? ConfigureServices { get; init; }

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The hub is not running.");

    public static async Task<HubHost> StartAsync(HubSettings settings, Action<WebApplicationBuilder>? configureServices = null)
    {
        var host = new HubHost(settings) { ConfigureServices = configureServices };
        await host.StartAsync();
        return host;
    }

    public async Task StartAsync()
    {
        var options = new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory };
        var app = HubApplication.Build(options, ConfigureTestHost, ConfigureServices);
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

    private void ConfigureTestHost(WebApplicationBuilder builder)
    {
        // Only the test's settings: no appsettings.json, environment variables or user secrets of the machine.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(_configuration);
        builder.Logging.ClearProviders();
        // HUB_TEST_LOG_LEVEL=Debug shows the hub's logs when running the test executable directly.
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("HUB_TEST_LOG_LEVEL"), out var configured) ? configured : LogLevel.Warning;
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(level);
        builder.WebHost.UseUrls(BaseUrl.ToString());
        ConfigureHost?.Invoke(builder);
    }
}
