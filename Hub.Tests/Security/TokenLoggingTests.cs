using System.Net;
using Hub.Testing.Wire;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Security;

/// <summary>
/// The built hub started as a deployment starts it, from a folder that is not its own, with every category logging
/// at Trace: tokens sent in URLs never reach its output.
/// </summary>
public sealed class TokenLoggingTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task Tokens_in_urls_never_reach_the_log_whatever_the_working_directory_and_levels(string formatter)
    {
        var database = await postgres.Server.CreateUniqueDatabaseAsync();
        var tokens = new TestTokens();
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_NOLOGO"] = "1",
            [$"Hub__Databases__{database}__ConnectionString"] = postgres.Server.ConnectionString(database),
            [$"Hub__Databases__{database}__Channels__0"] = HubFixture.Events,
            ["Logging__Console__FormatterName"] = formatter,
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
        };
        var settings = new HubSettings();
        tokens.Configure(settings);
        foreach (var (key, value) in settings.ToConfiguration())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
        }

        var elsewhere = Directory.CreateTempSubdirectory("hub-cwd-");
        var dll = Path.Combine(AppContext.BaseDirectory, "Hub.Server.dll");
        await using var process = ChildProcess.Start("hub", "dotnet", [dll], environment, elsewhere.FullName);
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(() => IsLiveAsync(http), TimeSpan.FromSeconds(30), $"the hub did not start: {process.Output}");
        var token = tokens.Create("browser", [database]);

        // A browser's WebSocket carries the token in the URL; the call works, so the token was read.
        await using (var socket = await RawHubConnection.ConnectAsync(new Uri(baseUrl, $"/hubs/notifications?access_token={token}"), WireProtocol.Json, cancellationToken: TestContext.Current.CancellationToken))
        {
            await socket.SubscribeAsync(database, HubFixture.Events, TestContext.Current.CancellationToken);
        }

        // A token in the URL of another endpoint is ignored, but its URL is logged all the same.
        var health = await http.GetAsync(new Uri($"/health/live?x=1&access_token={token}&y=2", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await Eventually.TrueAsync(
            () => process.Output.Contains("/health/live?x=1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            $"the requests are logged, with the token masked: {process.Output}");
        await process.TerminateAsync(TimeSpan.FromSeconds(10));

        var output = process.Output;
        var signature = token[(token.LastIndexOf('.') + 1)..];
        Assert.DoesNotContain(signature, output, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..40], output, StringComparison.Ordinal);
        Assert.Contains("/hubs/notifications?access_token=***", output, StringComparison.Ordinal);
        // The settings file was read from the application's folder, not the working directory.
        Assert.Contains(AppContext.BaseDirectory.TrimEnd('/'), output, StringComparison.Ordinal);
        Assert.DoesNotContain(elsewhere.FullName, output, StringComparison.Ordinal);
        elsewhere.Delete(recursive: true);
    }

    private static async Task<bool> IsLiveAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
