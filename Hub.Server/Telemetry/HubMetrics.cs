using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using Hub.Server.Contracts;
using Microsoft.Extensions.Options;

namespace Hub.Server.Telemetry;

/// <summary>
/// The hub's <see cref="System.Diagnostics.Metrics.Meter"/> and the instruments that components record into as
/// things happen (sends, refusals). Figures that a component already keeps (connections, subscriptions, listener
/// state, notifications received, reconnects) are observed from it by <see cref="HubStateMetrics"/> instead, so
/// that <c>/api/stats</c> and the metrics read the same numbers.
/// </summary>
public sealed class HubMetrics
{
    private readonly bool _databaseAttribute;
    private readonly TimeProvider _time;
    private readonly Counter<long> _messagesSent;
    private readonly Histogram<double> _fanoutDuration;
    private readonly Histogram<int> _payloadSize;
    private readonly Counter<long> _resyncsSent;
    private readonly Counter<long> _deliveriesDropped;
    private readonly Counter<long> _callsRejected;
    private readonly Counter<long> _listenerTransitions;
    private readonly Counter<long> _negotiationsRejected;

    /// <summary>Creates the meter through <paramref name="meterFactory"/>, so it lives and dies with the host.</summary>
    public HubMetrics(IMeterFactory meterFactory, IOptions<TelemetryOptions> options, TimeProvider time)
    {
        _databaseAttribute = options.Value.DatabaseNameAttribute;
        _time = time;
        Meter = meterFactory.Create(HubDiagnostics.Name, Version);

        _messagesSent = Meter.CreateCounter<long>(
            HubDiagnostics.Instruments.MessagesSent, "{message}",
            "Group sends of notifications and resyncs to clients, one per message whatever the number of recipients; error.type is set on failed sends.");
        _fanoutDuration = Meter.CreateHistogram(
            HubDiagnostics.Instruments.FanoutDuration, "s",
            "Time from the listener having a notification to its group send completing.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _payloadSize = Meter.CreateHistogram(
            HubDiagnostics.Instruments.PayloadSize, "By",
            "Size of NOTIFY payloads in UTF-8 bytes.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = PayloadBuckets });
        _resyncsSent = Meter.CreateCounter<long>(
            HubDiagnostics.Instruments.ResyncsSent, "{resync}",
            "Resyncs sent to the subscribers of a database because notifications may have been missed.");
        _deliveriesDropped = Meter.CreateCounter<long>(
            HubDiagnostics.Instruments.DeliveriesDropped, "{notification}",
            "Notifications dropped from a database's delivery queue over Hub:Delivery:MaxQueueLength or MaxQueueAge; its subscribers get a resync for them.");
        _callsRejected = Meter.CreateCounter<long>(
            HubDiagnostics.Instruments.CallsRejected, "{call}",
            "Hub calls refused (Subscribe, Unsubscribe, Publish, limits), by reason. The database is never an attribute here: refused names come from clients.");

        _listenerTransitions = Meter.CreateCounter<long>(
            HubDiagnostics.Instruments.ListenerTransitions, "{transition}",
            "Listener state changes, by the state left and the state entered.");

        _negotiationsRejected = Meter.CreateCounter<long>(
            HubDiagnostics.Instruments.NegotiationsRejected, "{request}",
            "Negotiations refused with 429 because too many of the user, the address or the hub had not connected yet, by the limit that refused.");

        // Prometheus' rate() and increase() miss the first increment of a series that appears at 1, so the
        // series whose label values are known up front start at 0.
        foreach (var reason in ConstantsOf(typeof(Contracts.Refusals.Reasons)))
        {
            _callsRejected.Add(0, new KeyValuePair<string, object?>(HubDiagnostics.Attributes.RejectionReason, reason));
        }

        foreach (var limit in ConstantsOf(typeof(HubDiagnostics.NegotiationLimits)))
        {
            _negotiationsRejected.Add(0, new KeyValuePair<string, object?>(HubDiagnostics.Attributes.NegotiationLimit, limit));
        }
    }

    /// <summary>The hub's meter.</summary>
    public Meter Meter { get; }

    /// <summary>Whether measurements carry <see cref="HubDiagnostics.Attributes.Database"/>.</summary>
    public bool DatabaseAttribute => _databaseAttribute;

    /// <summary>The version the meter and the service report: the informational version of the server assembly.</summary>
    public static string Version { get; } =
        typeof(HubMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(HubMetrics).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    // Sub-millisecond in-process sends up to a backlog of seconds behind a slow consumer.
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // PostgreSQL caps a payload at 8000 bytes.
    private static readonly int[] PayloadBuckets = [0, 16, 64, 256, 1024, 2048, 4096, 8000];

    /// <summary>Starts the counters of <paramref name="database"/> at 0 when its delivery queue opens (see the constructor for why).</summary>
    public void Opened(string database)
    {
        foreach (var reason in ConstantsOf(typeof(ResyncReasons)))
        {
            var tags = new TagList { { HubDiagnostics.Attributes.ResyncReason, reason } };
            if (_databaseAttribute)
            {
                tags.Add(HubDiagnostics.Attributes.Database, database);
            }

            _resyncsSent.Add(0, tags);
        }

        _deliveriesDropped.Add(0, DatabaseTags(database));
    }

    /// <summary>Records that the delivery queue of <paramref name="database"/> dropped <paramref name="count"/> notifications.</summary>
    public void Dropped(string database, int count) => _deliveriesDropped.Add(count, DatabaseTags(database));

    /// <summary>Records a refused call and marks the hub activity in progress with the reason.</summary>
    public void Rejected(string reason)
    {
        _callsRejected.Add(1, new KeyValuePair<string, object?>(HubDiagnostics.Attributes.RejectionReason, reason));
        if (Activity.Current is { } activity && activity.Source.Name == HubDiagnostics.Name)
        {
            activity.SetTag(HubDiagnostics.Attributes.Result, reason);
        }
    }

    /// <summary>Records a negotiation refused by <paramref name="limit"/> (a <see cref="HubDiagnostics.NegotiationLimits"/> value).</summary>
    public void NegotiationRejected(string limit)
        => _negotiationsRejected.Add(1, new KeyValuePair<string, object?>(HubDiagnostics.Attributes.NegotiationLimit, limit));

    /// <summary>Records that the listener of <paramref name="database"/> went from <paramref name="previous"/> to <paramref name="next"/>.</summary>
    public void ListenerStateChanged(string database, string previous, string next)
    {
        var tags = new TagList
        {
            { HubDiagnostics.Attributes.PreviousListenerState, previous },
            { HubDiagnostics.Attributes.ListenerState, next },
        };
        if (_databaseAttribute)
        {
            tags.Add(HubDiagnostics.Attributes.Database, database);
        }

        _listenerTransitions.Add(1, tags);
    }

    /// <summary>Records one envelope's group send of <paramref name="database"/>, failed when <paramref name="error"/> is set.</summary>
    public void Sent(string database, Envelope envelope, Exception? error)
    {
        var tags = new TagList();
        if (_databaseAttribute)
        {
            tags.Add(HubDiagnostics.Attributes.Database, database);
        }

        var databaseTags = tags;
        if (error is not null)
        {
            tags.Add(HubDiagnostics.Attributes.ErrorType, error.GetType().FullName);
        }

        switch (envelope)
        {
            case NotificationEnvelope notification:
                _payloadSize.Record(Encoding.UTF8.GetByteCount(notification.Payload), databaseTags);
                tags.Add(HubDiagnostics.Attributes.MessageType, HubDiagnostics.MessageTypes.Notification);
                _messagesSent.Add(1, tags);
                _fanoutDuration.Record(SecondsSince(notification.ReceivedAt), tags);
                break;
            case ResyncEnvelope resync:
                tags.Add(HubDiagnostics.Attributes.MessageType, HubDiagnostics.MessageTypes.Resync);
                _messagesSent.Add(1, tags);
                if (error is null)
                {
                    databaseTags.Add(HubDiagnostics.Attributes.ResyncReason, resync.Reason);
                    _resyncsSent.Add(1, databaseTags);
                }

                break;
        }
    }

    private TagList DatabaseTags(string database)
        => _databaseAttribute ? new TagList { { HubDiagnostics.Attributes.Database, database } } : default;

    private static IEnumerable<string> ConstantsOf(Type type)
        => type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(static field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(static field => (string)field.GetRawConstantValue()!);

    private double SecondsSince(DateTime receivedAt)
        => Math.Max(0, (_time.GetUtcNow().UtcDateTime - receivedAt).TotalSeconds);
}
