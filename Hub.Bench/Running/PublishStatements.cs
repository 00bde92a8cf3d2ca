namespace Hub.Bench.Running;

/// <summary>
/// The statements the bench publishes with: plain NOTIFY, or a row through an outbox database's publish function;
/// one notification (<c>@payload</c>) or a batch in one statement, so in one transaction (<c>@payloads</c>).
/// </summary>
public static class PublishStatements
{
    public const string Notify = "SELECT pg_notify(@channel, @payload)";

    public const string Outbox = "SELECT notify_hub.publish(@channel, @payload)";

    public const string NotifyBatch = "SELECT count(pg_notify(@channel, p)) FROM unnest(@payloads) AS t(p)";

    public const string OutboxBatch = "SELECT count(notify_hub.publish(@channel, p)) FROM unnest(@payloads) AS t(p)";

    public static string For(bool outbox) => outbox ? Outbox : Notify;

    public static string BatchFor(bool outbox) => outbox ? OutboxBatch : NotifyBatch;
}
