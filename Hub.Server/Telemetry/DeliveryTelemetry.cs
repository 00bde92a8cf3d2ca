using Hub.Server.Contracts;

namespace Hub.Server.Telemetry;

/// <summary>
/// What a database's delivery queue reports after each group send: the send metrics and, when sampled, the notification's trace.
/// </summary>
public sealed class DeliveryTelemetry(HubMetrics metrics, HubActivities activities)
{
    /// <summary>The delivery queue of <paramref name="database"/> opened.</summary>
    public void Opened(string database) => metrics.Opened(database);

    /// <summary>The delivery queue of <paramref name="database"/> dropped <paramref name="count"/> notifications over its bound.</summary>
    public void Dropped(string database, int count) => metrics.Dropped(database, count);

    /// <summary>Records the group send of <paramref name="envelope"/>, failed when <paramref name="error"/> is set.</summary>
    public void Sent(string database, Envelope envelope, Exception? error = null)
    {
        metrics.Sent(database, envelope, error);
        if (envelope is NotificationEnvelope notification)
        {
            activities.Delivered(notification, error);
        }
    }
}
