namespace Hub.Bench.Running;

/// <summary>What a bench run measures (<c>--mode</c>).</summary>
public enum BenchMode
{
    /// <summary>Plain NOTIFY: connect, idle memory, NOTIFY-to-client latency, loss.</summary>
    Notify,

    /// <summary>An outbox database: rows published through <c>notify_hub.publish</c> by concurrent writers, their rate and delivery.</summary>
    OutboxPublish,

    /// <summary>The same subscribers and rate on a plain NOTIFY database and on an outbox database, one after the other on one hub.</summary>
    OutboxLatency,

    /// <summary>A client that comes back after N rows resumes with <c>SubscribeFrom</c>: how fast the replay reaches it.</summary>
    OutboxCatchUp,
}
