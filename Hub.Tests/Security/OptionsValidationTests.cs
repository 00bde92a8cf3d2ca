using Hub.Server.Security;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Security;

public sealed class OptionsValidationTests
{
    private const string ShortKey = "c2hvcnQta2V5LTEyMzQ1Ng=="; // 16 bytes

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Hub:Auth:AllowAnonymous", "false", "Hub:Auth:SigningKey or Hub:Auth:Authority is required" },
        { "Hub:Auth:SigningKey", "not base64 at all!", "Hub:Auth:SigningKey is not valid base64" },
        { "Hub:Auth:SigningKey", ShortKey, "Hub:Auth:SigningKey is 128 bits; HS256 needs at least 256" },
        { "Hub:Auth:Authority", "not a url", "Hub:Auth:Authority must be an absolute http(s) URL" },
        { "Hub:Limits:SubscriptionsPerConnection", "0", "Hub:Limits:SubscriptionsPerConnection must be at least 1" },
        { "Hub:Limits:ConnectionsPerUser", "-1", "Hub:Limits:ConnectionsPerUser must be at least 1" },
        { "Hub:Limits:CallsPerSecond", "0", "Hub:Limits:CallsPerSecond must be at least 1" },
        { "Hub:Limits:MaximumReceiveMessageSize", "100", "Hub:Limits:MaximumReceiveMessageSize must be at least 1024 bytes" },
        { "Hub:Limits:PendingNegotiationsPerUser", "0", "Hub:Limits:PendingNegotiationsPerUser must be at least 1" },
        { "Hub:Limits:PendingNegotiationsPerAddress", "-5", "Hub:Limits:PendingNegotiationsPerAddress must be at least 1" },
        { "Hub:Limits:MaxPendingNegotiations", "0", "Hub:Limits:MaxPendingNegotiations must be at least 1" },
        { "Hub:Limits:NegotiationTimeout", "00:00:00", "Hub:Limits:NegotiationTimeout must be positive" },
        { "Hub:Limits:MaxDatabaseConnections", "0", "Hub:Limits:MaxDatabaseConnections must be at least 1" },
        { "Hub:Limits:CallRateCooldown", "-00:00:01", "Hub:Limits:CallRateCooldown must not be negative" },
        { "Hub:Delivery:MaxQueueLength", "1", "Hub:Delivery:MaxQueueLength must be at least 2 (was 1)" },
        { "Hub:Delivery:MaxQueueAge", "00:00:00", "Hub:Delivery:MaxQueueAge must be positive and at most 01:00:00" },
        { "Hub:Delivery:MaxQueueAge", "2.00:00:00", "Hub:Delivery:MaxQueueAge must be positive and at most 01:00:00" },
        { "Hub:Delivery:ShutdownTimeout", "-00:00:01", "Hub:Delivery:ShutdownTimeout must be between 00:00:00 and 00:10:00" },
        { "Hub:ScaleOut:LeaderHeartbeatInterval", "00:00:00.01", "Hub:ScaleOut:LeaderHeartbeatInterval must be between 00:00:00.1 and 00:01:00" },
        { "Hub:ScaleOut:LeaderTimeout", "00:00:01", "Hub:ScaleOut:LeaderTimeout must be at least twice Hub:ScaleOut:LeaderHeartbeatInterval" },
        { "Hub:Publish:MaxPoolSize", "0", "Hub:Publish:MaxPoolSize must be between 1 and 1024" },
        { "Hub:Tenants:NamePattern", "tenant_[a-z]+", "Hub:Tenants:ConnectionStringTemplate is required" },
        { "Hub:Tenants:ConnectionStringTemplate", "Host=127.0.0.1;Database=fixed", "Hub:Tenants:ConnectionStringTemplate must set Database={database}" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Startup_fails_naming_the_key(string key, string? value, string expected)
    {
        var settings = HubSettings.For("app", "Host=127.0.0.1;Database=app;Username=postgres", "events");
        settings.Raw[key] = value;
        await using var hub = new HubHost(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(hub.StartAsync);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_key_needs_issuer_and_audience_and_never_appears_in_the_error()
    {
        var settings = HubSettings.For("app", "Host=127.0.0.1;Database=app;Username=postgres", "events");
        settings.Auth.SigningKey = ShortKey;
        await using var hub = new HubHost(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(hub.StartAsync);

        Assert.Contains("Hub:Auth:Issuer is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Hub:Auth:Audience is required", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ShortKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_pattern_and_channels_are_checked()
    {
        var settings = HubSettings.For("app", "Host=127.0.0.1;Database=app;Username=postgres", "events");
        settings.Tenants.ConnectionStringTemplate = "Host=127.0.0.1;Database={database};Username=postgres";
        settings.Tenants.NamePattern = "tenant_[a-z";
        settings.Tenants.Channels = ["bad channel"];
        settings.Tenants.LookupsPerSecondPerUser = 0;
        await using var hub = new HubHost(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(hub.StartAsync);

        Assert.Contains("Hub:Tenants:NamePattern is not a valid regular expression", error.Message, StringComparison.Ordinal);
        Assert.Contains("Hub:Tenants:Channels:0: 'bad channel' is not a valid PostgreSQL identifier", error.Message, StringComparison.Ordinal);
        Assert.Contains("Hub:Tenants:LookupsPerSecondPerUser must be at least 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    public void Anonymous_access_defaults_to_on_only_in_Development(string environment, bool expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment });
        services.AddHubSecurity(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Auth:Issuer"] = TestTokens.Issuer,
            ["Hub:Auth:Audience"] = TestTokens.Audience,
            ["Hub:Auth:SigningKey"] = new TestTokens().SigningKeyBase64,
        }).Build());
        using var provider = services.BuildServiceProvider();

        Assert.Equal(expected, provider.GetRequiredService<IOptions<AuthOptions>>().Value.AllowAnonymous);
    }
}
