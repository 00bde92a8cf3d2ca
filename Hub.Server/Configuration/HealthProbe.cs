using System.Globalization;

namespace Hub.Server.Configuration;

/// <summary>
/// <c>--health-check</c>: asks a running hub's <c>/health/live</c> on this machine and answers with the exit code, for
/// container health checks in images that have no curl. It reads the port the way Kestrel does (<c>urls</c>, then
/// <c>HTTP_PORTS</c>) and starts no host of its own.
/// </summary>
internal static class HealthProbe
{
    // Kestrel's port when nothing else is configured.
    private const int DefaultPort = 5000;

    /// <summary>Returns 0 when the hub answers healthy within the timeout, 1 otherwise.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter diagnostics)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build();
        var url = new Uri(BaseUrl(configuration), "/health/live");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                await output.WriteLineAsync($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}").ConfigureAwait(false);
                return 0;
            }

            await diagnostics.WriteLineAsync($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await diagnostics.WriteLineAsync($"{url}: {ex.Message}").ConfigureAwait(false);
        }

        return 1;
    }

    /// <summary>The loopback address of the first endpoint the hub listens on.</summary>
    public static Uri BaseUrl(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            // Wildcard hosts ("+", "*", "0.0.0.0", "[::]") are not addresses a client can use; loopback reaches them.
            var separator = first.IndexOf("://", StringComparison.Ordinal);
            var rest = first[(separator + 3)..];
            var port = rest.LastIndexOf(':') is var colon and >= 0 ? rest[(colon + 1)..].TrimEnd('/') : "80";
            return new Uri($"{first[..separator]}://127.0.0.1:{port}");
        }

        var ports = configuration["http_ports"];
        var httpPort = string.IsNullOrWhiteSpace(ports)
            ? DefaultPort
            : int.Parse(ports.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0], CultureInfo.InvariantCulture);
        return new Uri($"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}");
    }
}
