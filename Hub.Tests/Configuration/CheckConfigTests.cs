using Hub.Server;
using Hub.Server.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Configuration;

/// <summary>
/// <c>dotnet Hub.Server.dll --check-config</c> validates every option, prints the effective settings with secrets
/// masked, names every unknown key with the known key it most likely meant, and exits 0 or 2.
/// </summary>
public sealed class CheckConfigTests
{
    private const string DatabasePassword = "db-pass-7f3a";
    private const string RedisPassword = "redis-pass-91c2";
    private static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(static i => (byte)(i * 7)).ToArray());

    /// <summary>A production configuration with every kind of secret the hub takes.</summary>
    private static Dictionary<string, string> ValidSettings() => new(StringComparer.Ordinal)
    {
        ["Hub:Databases:app:ConnectionString"] = $"Host=127.0.0.1;Database=app;Username=hub;Password={DatabasePassword}",
        ["Hub:Databases:app:Channels:0"] = "hub_events",
        // Port 1: --check-config must not depend on Redis answering.
        ["Hub:Redis"] = $"127.0.0.1:1,password={RedisPassword},abortConnect=false",
        ["Hub:Auth:SigningKey"] = SigningKey,
        ["Hub:Auth:Issuer"] = "https://issuer.test",
        ["Hub:Auth:Audience"] = "notify-hub",
        ["Hub:Listener:SubscribeTimeout"] = "00:00:07",
    };

    [Fact]
    public async Task Valid_configuration_prints_the_effective_settings_with_secrets_masked()
    {
        var result = await HubServerCommand.RunAsync(ValidSettings(), HubCommandLine.CheckConfigSwitch);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Hub:Listener:SubscribeTimeout = 00:00:07", result.Output, StringComparison.Ordinal);
        // Defaults show too: the effective value, not only what was set.
        Assert.Contains("Hub:Listener:IdleGracePeriod = 00:00:30", result.Output, StringComparison.Ordinal);
        Assert.Contains("Hub:Databases:app:ConnectionString = Host=127.0.0.1;Database=app;Username=hub;Password=***", result.Output, StringComparison.Ordinal);
        Assert.Contains("Hub:Auth:SigningKey = ***", result.Output, StringComparison.Ordinal);
        Assert.Contains("Hub:Redis = 127.0.0.1:1,password=***,abortConnect=false", result.Output, StringComparison.Ordinal);
        Assert.Contains("The configuration is valid.", result.Output, StringComparison.Ordinal);
        var everything = result.Output + result.Errors;
        Assert.DoesNotContain(DatabasePassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(RedisPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Misspelled_keys_are_warned_about_with_the_key_they_meant()
    {
        var settings = ValidSettings();
        settings["Hub:Listener:SubscribeTimout"] = "00:00:02";
        settings["Hub:Listner:IdleGracePeriod"] = "00:00:01";
        settings["Hub:Databases:app:Chanels:0"] = "orders";
        settings["Hub:Completely:Different"] = "1";

        var result = await HubServerCommand.RunAsync(settings, HubCommandLine.CheckConfigSwitch);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: Hub:Listener:SubscribeTimout is not a known setting and is ignored; did you mean Hub:Listener:SubscribeTimeout?", result.Errors, StringComparison.Ordinal);
        Assert.Contains("warning: Hub:Listner:IdleGracePeriod is not a known setting and is ignored; did you mean Hub:Listener:IdleGracePeriod?", result.Errors, StringComparison.Ordinal);
        Assert.Contains("warning: Hub:Databases:app:Chanels:0 is not a known setting and is ignored; did you mean Hub:Databases:app:Channels:0?", result.Errors, StringComparison.Ordinal);
        Assert.Contains("warning: Hub:Completely:Different is not a known setting and is ignored", result.Errors, StringComparison.Ordinal);
        Assert.Contains("with 4 unknown keys ignored", result.Output, StringComparison.Ordinal);
        // The typo left the default in force, and the report shows it.
        Assert.Contains("Hub:Listener:SubscribeTimeout = 00:00:07", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_configuration_names_every_bad_key_and_exits_2()
    {
        var settings = ValidSettings();
        settings["Hub:Limits:CallsPerSecond"] = "0";
        settings["Hub:Listener:KeepAliveInterval"] = "soon";

        var result = await HubServerCommand.RunAsync(settings, HubCommandLine.CheckConfigSwitch);

        Assert.True(result.ExitCode == HubCommandLine.ConfigurationErrorExitCode, result.ToString());
        Assert.Contains("error: Hub:Limits:CallsPerSecond must be at least 1.", result.Errors, StringComparison.Ordinal);
        Assert.Contains("error: Failed to convert configuration value 'soon' at 'Hub:Listener:KeepAliveInterval'", result.Errors, StringComparison.Ordinal);
        Assert.Contains("The configuration is not valid (2 errors).", result.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_database_is_reported_the_same_way()
    {
        var settings = ValidSettings();
        settings["Hub:Databases:app:Channels:0"] = "bad channel";

        var result = await HubServerCommand.RunAsync(settings, HubCommandLine.CheckConfigSwitch);

        Assert.True(result.ExitCode == HubCommandLine.ConfigurationErrorExitCode, result.ToString());
        Assert.Contains("error: Hub:Databases:app:Channels:0: 'bad channel' is not a valid PostgreSQL identifier", result.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_options_class_the_hub_binds_is_known_to_the_check()
    {
        // An options class without a SectionName would make all of its keys look unknown.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new TestEnvironment());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ValidSettings()!).Build();
        services.AddNotificationHub(configuration);

        var bound = services
            .Where(static d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(static d => d.ServiceType.GetGenericArguments()[0])
            .Where(static t => t.Namespace?.StartsWith("Hub.Server", StringComparison.Ordinal) == true)
            .Distinct()
            .ToList();
        var known = SettingsSchema.OptionsTypes.Select(static o => o.Type).ToHashSet();

        Assert.NotEmpty(bound);
        Assert.All(bound, type => Assert.True(known.Contains(type), $"{type} is bound from configuration but has no public const SectionName"));
    }

    private sealed class TestEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "Hub.Server";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
