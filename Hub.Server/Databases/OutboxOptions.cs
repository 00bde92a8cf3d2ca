namespace Hub.Server.Databases;

/// <summary>
/// The durable stream of one database, bound from <c>Hub:Databases:{name}:Outbox</c> (and <c>Hub:Tenants:Outbox</c>
/// for every tenant database). Applications publish with <c>notify_hub.publish(channel, payload)</c> inside their
/// transaction; the hub reads the outbox table in stream order and stamps each notification with a position.
/// </summary>
public sealed class OutboxOptions
{
    /// <summary>The schema name of the outbox unless configured.</summary>
    public const string DefaultSchema = "notify_hub";

    /// <summary>Whether the database is an outbox database. Off: plain NOTIFY, as before.</summary>
    public bool Enabled { get; set; }

    /// <summary>How long delivered rows are kept for clients that resume from a position.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The schema holding the outbox (lower-case letters, digits and '_'); the publish function is
    /// <c>{Schema}.publish</c> and the wake-up channel <c>{Schema}_wake</c>.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Whether the hub creates the schema on first use (idempotently); off when a DBA runs scripts/outbox.sql.</summary>
    public bool InstallSchema { get; set; } = true;

    /// <summary>The largest payload <c>publish</c> accepts, in UTF-8 bytes (stored in the schema when the hub installs it).</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How often the reader looks at the outbox without being woken. The publish function's NOTIFY wakes it at once;
    /// the poll is the safety net for a wake-up lost with a connection, and what notices a long transaction ending.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many rows the reader sends per batch; its cursor is stored after each batch.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How many connections of this instance may read history for <c>SubscribeFrom</c> at once.</summary>
    public int ReplayPoolSize { get; set; } = 4;
}
