using Hub.Server.Databases;
using Hub.Server.Delivery;
using Hub.Server.Limits;
using Hub.Server.Listening;
using Hub.Server.Publishing;
using Hub.Server.Scaling;
using Hub.Server.Security;
using Hub.Server.Telemetry;
using Hub.Server.Tenants;
using Hub.Server.Transport;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// What a test hub runs with, as the hub's own typed options: a renamed option fails to compile here instead of
/// being silently ignored as a misspelled configuration key would be. <see cref="ToConfiguration"/> turns them into
/// the keys an operator would write, so an in-process hub and a hub process read them the same way.
/// </summary>
public sealed class HubSettings
{
    /// <summary>The databases clients may use, by name.</summary>
    public Dictionary<string, DatabaseOptions> Databases { get; } = new(StringComparer.Ordinal);

    /// <summary>Listener timings short enough for tests: a second of idle grace, reconnects from 100 ms up to 1 s.</summary>
    public ListenerOptions Listener { get; } = new()
    {
        IdleGracePeriod = TimeSpan.FromSeconds(1),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
    };

    /// <summary>Anonymous callers are allowed unless a test configures tokens.</summary>
    public AuthOptions Auth { get; } = new() { AllowAnonymous = true };

    public LimitOptions Limits { get; } = new();

    public DeliveryOptions Delivery { get; } = new();

    public TransportOptions Transport { get; } = new();

    public PublishOptions Publish { get; } = new();

    public TelemetryOptions Telemetry { get; } = new();

    public ScaleOutOptions ScaleOut { get; } = new();

    public TenantOptions Tenants { get; } = new();

    public ManagementOptions Management { get; } = new();

    public HubCorsOptions Cors { get; } = new();

    /// <summary>The Redis backplane (<c>Hub:Redis</c>); null for a single instance.</summary>
    public string? Redis { get; set; }

    /// <summary>The instance id reported in stats and telemetry (<c>Hub:InstanceId</c>).</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// Raw configuration keys, written last: only for what typed options cannot say, namely tests of configuration
    /// itself (a value that does not parse, a key that is wrong) and settings outside the hub (OTEL_*). A null value
    /// removes the key, for a test of a key that is missing.
    /// </summary>
    public Dictionary<string, string?> Raw { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Settings for one database with the given channels.</summary>
    public static HubSettings For(string database, string connectionString, params string[] channels)
        => new HubSettings().AddDatabase(database, connectionString, channels);

    public HubSettings AddDatabase(string database, string connectionString, params string[] channels)
    {
        Databases[database] = new DatabaseOptions { ConnectionString = connectionString, Channels = [.. channels] };
        return this;
    }

    /// <summary>The configuration keys (with ':') these settings stand for.</summary>
    public Dictionary<string, string?> ToConfiguration()
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, database) in Databases)
        {
            ConfigurationKeys.Write($"Hub:Databases:{name}", database, keys);
        }

        ConfigurationKeys.Write(ListenerOptions.SectionName, Listener, keys);
        ConfigurationKeys.Write(AuthOptions.SectionName, Auth, keys);
        ConfigurationKeys.Write(LimitOptions.SectionName, Limits, keys);
        ConfigurationKeys.Write(DeliveryOptions.SectionName, Delivery, keys);
        ConfigurationKeys.Write(TransportOptions.SectionName, Transport, keys);
        ConfigurationKeys.Write(PublishOptions.SectionName, Publish, keys);
        ConfigurationKeys.Write(TelemetryOptions.SectionName, Telemetry, keys);
        ConfigurationKeys.Write(ScaleOutOptions.SectionName, ScaleOut, keys);
        ConfigurationKeys.Write(TenantOptions.SectionName, Tenants, keys);
        ConfigurationKeys.Write(ManagementOptions.SectionName, Management, keys);
        ConfigurationKeys.Write(HubCorsOptions.SectionName, Cors, keys);
        if (Redis is not null)
        {
            keys["Hub:Redis"] = Redis;
        }

        if (InstanceId is not null)
        {
            keys["Hub:InstanceId"] = InstanceId;
        }

        foreach (var (key, value) in Raw)
        {
            if (value is null)
            {
                keys.Remove(key);
            }
            else
            {
                keys[key] = value;
            }
        }

        return keys;
    }
}
