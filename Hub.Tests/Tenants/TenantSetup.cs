using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

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

    /// <param name="server">The PostgreSQL server the tenant databases are created on.</param>
    /// <param name="configure">Changes the hub's settings after the tenant pattern is set.</param>
    /// <param name="time">A clock for the hub instead of the system's, for tests of cache expiry.</param>
    public static async Task<TenantSetup> StartAsync(PostgresServer server, Action<HubSettings>? configure = null, TimeProvider? time = null)
    {
        var prefix = "tn" + Guid.NewGuid().ToString("N")[..10];
        foreach (var name in (string[])[prefix + "_a", prefix + "_b", "other" + prefix])
        {
            await server.CreateDatabaseAsync(name);
        }

        var builder = HubFixture.For(server).WithTokens().CaptureLogs().Configure(s =>
        {
            s.Tenants.ConnectionStringTemplate = server.ConnectionString("{database}");
            s.Tenants.NamePattern = prefix + "_[a-z0-9_]+";
            s.Tenants.Channels = [HubFixture.Events, HubFixture.Other];
            configure?.Invoke(s);
        });
        if (time is not null)
        {
            builder.ConfigureServices(b => b.Services.AddSingleton(time));
        }

        var hub = await builder.StartAsync();
        return new TenantSetup(prefix, hub);
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
