using Hub.Tests.Infrastructure;
using Hub.Tests.Security;

namespace Hub.Tests.Tenants;

/// <summary>
/// Three databases named after a fresh prefix (two that match the tenant pattern, one that does not) and a hub that
/// admits tenants by that pattern with the channels 'events' and 'other'.
/// </summary>
internal sealed class TenantSetup : IAsyncDisposable
{
    private TenantSetup(string prefix, SecuredHub hub)
    {
        Prefix = prefix;
        Hub = hub;
    }

    public string Prefix { get; }

    public string A => Prefix + "_a";

    public string B => Prefix + "_b";

    public string Unmatched => "other" + Prefix;

    public SecuredHub Hub { get; }

    public static async Task<TenantSetup> StartAsync(PostgresServer server, Action<Dictionary<string, string?>>? configure = null)
    {
        var prefix = "tn" + Guid.NewGuid().ToString("N")[..10];
        foreach (var name in (string[])[prefix + "_a", prefix + "_b", "other" + prefix])
        {
            await server.CreateDatabaseAsync(name);
        }

        var hub = await SecuredHub.StartAsync(server, s =>
        {
            s["Hub:Tenants:ConnectionStringTemplate"] = server.ConnectionString("{database}");
            s["Hub:Tenants:NamePattern"] = prefix + "_[a-z0-9_]+";
            s["Hub:Tenants:Channels:0"] = HubScenario.Events;
            s["Hub:Tenants:Channels:1"] = HubScenario.Other;
            configure?.Invoke(s);
        });
        return new TenantSetup(prefix, hub);
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
