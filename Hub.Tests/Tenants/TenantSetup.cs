using Hub.Tests.Infrastructure;

namespace Hub.Tests.Tenants;

/// <summary>
/// Three databases named after a fresh prefix (two that match the tenant pattern, one that does not) and a hub that
/// requires tokens, captures its logs and admits tenants by that pattern with the channels 'events' and 'other'.
/// </summary>
internal sealed class TenantSetup : IAsyncDisposable
{
    private TenantSetup(string prefix, HubFixture hub)
    {
        Prefix = prefix;
        Hub = hub;
    }

    public string Prefix { get; }

    public string A => Prefix + "_a";

    public string B => Prefix + "_b";

    public string Unmatched => "other" + Prefix;

    public HubFixture Hub { get; }

    public static async Task<TenantSetup> StartAsync(PostgresServer server, Action<HubSettings>? configure = null)
    {
        var prefix = "tn" + Guid.NewGuid().ToString("N")[..10];
        foreach (var name in (string[])[prefix + "_a", prefix + "_b", "other" + prefix])
        {
            await server.CreateDatabaseAsync(name);
        }

        var hub = await HubFixture.For(server).WithTokens().CaptureLogs().Configure(s =>
        {
            s.Tenants.ConnectionStringTemplate = server.ConnectionString("{database}");
            s.Tenants.NamePattern = prefix + "_[a-z0-9_]+";
            s.Tenants.Channels = [HubFixture.Events, HubFixture.Other];
            configure?.Invoke(s);
        }).StartAsync();
        return new TenantSetup(prefix, hub);
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
