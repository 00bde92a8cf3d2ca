using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Databases;

/// <summary>A bad configuration stops the hub at startup with a message that names the key.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Hub:Databases:app:ConnectionString", null, "Hub:Databases:app:ConnectionString is missing." },
        { "Hub:Databases:app:ConnectionString", "Host=x;NoSuchKeyword=1", "Hub:Databases:app:ConnectionString is not a valid Npgsql connection string" },
        { "Hub:Databases:app:Channels:0", null, "Hub:Databases:app:Channels is empty" },
        { "Hub:Databases:app:Channels:0", "bad channel", "Hub:Databases:app:Channels:0: 'bad channel' is not a valid PostgreSQL identifier" },
        { "Hub:Databases:app:Channels:0", "x\"; DROP TABLE t; --", "Hub:Databases:app:Channels:0: 'x\"; DROP TABLE t; --' is not a valid PostgreSQL identifier" },
        { "Hub:Databases:app:Channels:0", new string('c', 64), "is not a valid PostgreSQL identifier" },
        { "Hub:Databases:app:Channels:1", "EVENTS", "Hub:Databases:app:Channels: 'events' is listed more than once" },
        { "Hub:Databases:bad name:Channels:0", "events", "Hub:Databases:bad name: 'bad name' is not a valid database name" },
        { "Hub:Listener:SubscribeTimeout", "00:00:00", "Hub:Listener:SubscribeTimeout must be greater than zero." },
        { "Hub:Listener:IdleGracePeriod", "-00:00:01", "Hub:Listener:IdleGracePeriod must not be negative." },
        { "Hub:Listener:ReconnectMaxDelay", "00:00:00.050", "Hub:Listener:ReconnectMaxDelay must not be shorter than ReconnectInitialDelay." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_setting_fails_startup_naming_the_key(string key, string? value, string message)
    {
        var settings = HubSettings.For("app", "Host=127.0.0.1;Database=app;Username=postgres", "events");
        settings.Raw[key] = value;
        await using var hub = new HubHost(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(hub.StartAsync);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_settings_start()
    {
        await using var hub = new HubHost(HubSettings.For("app", "Host=127.0.0.1;Database=app;Username=postgres", "events", "Other_2$"));

        await hub.StartAsync();
    }
}
