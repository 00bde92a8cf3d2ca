namespace Hub.Bench.Running;

/// <summary>The statements the bench publishes with: plain NOTIFY, or a row through an outbox database's publish function.</summary>
public static class PublishStatements
{
    public const string Notify = "SELECT pg_notify(@channel, @payload)";

    public const string Outbox = "SELECT notify_hub.publish(@channel, @payload)";

    public static string For(bool outbox) => outbox ? Outbox : Notify;
}
