using Hub.Server.Databases;

namespace Hub.Server.Tenants;

/// <summary>
/// Tenant databases admitted by name, bound from <c>Hub:Tenants</c>: besides the fixed <c>Hub:Databases</c>,
/// any database whose name matches <see cref="NamePattern"/> and that exists on the server of
/// <see cref="ConnectionStringTemplate"/>. Unset template and pattern (the default) admit none.
/// </summary>
public sealed class TenantOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Hub:Tenants";

    /// <summary>The placeholder that stands for the database name in <see cref="ConnectionStringTemplate"/>.</summary>
    public const string DatabasePlaceholder = "{database}";

    /// <summary>
    /// The Npgsql connection string of every tenant database, with <c>Database={database}</c>. The name is put
    /// in as the Database property, never spliced into the text.
    /// </summary>
    public string? ConnectionStringTemplate { get; set; }

    /// <summary>
    /// A .NET regular expression the whole name must match (it is anchored at both ends whatever it says), for
    /// example <c>tenant_[a-z0-9_]+</c>. Names must also be database names the hub accepts and lower case.
    /// </summary>
    public string? NamePattern { get; set; }

    /// <summary>The channels clients may subscribe and publish to on every tenant database.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>The database on the same server the hub connects to when it checks that a tenant database exists.</summary>
    public string MaintenanceDatabase { get; set; } = "postgres";

    /// <summary>How long a database found to exist is remembered.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a name found not to exist is remembered; short, so a new tenant is usable soon after it is created.</summary>
    public TimeSpan NegativeCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>New names the hub looks up per second at most, over all clients; beyond that Subscribe is refused until the next second.</summary>
    public int LookupsPerSecond { get; set; } = 20;

    /// <summary>
    /// New names one user (a token's subject; anonymous callers together) looks up per second at most, within
    /// <see cref="LookupsPerSecond"/>: a caller sending random names spends its own budget, not the other users'.
    /// </summary>
    public int LookupsPerSecondPerUser { get; set; } = 5;

    /// <summary>How many names the cache holds at most; past that, names found not to exist are not remembered.</summary>
    public int MaxCachedNames { get; set; } = 10_000;

    /// <summary>How long matching a name against <see cref="NamePattern"/> may take before it counts as no match.</summary>
    public TimeSpan PatternMatchTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The durable stream of every tenant database (<c>Hub:Tenants:Outbox</c>).</summary>
    public OutboxOptions Outbox { get; set; } = new();

    /// <summary>Whether tenant databases are configured at all.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionStringTemplate) || !string.IsNullOrWhiteSpace(NamePattern);
}
