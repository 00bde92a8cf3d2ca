using System.Diagnostics;

namespace Hub.Server.Telemetry;

/// <summary>
/// Traces one database's listener: every connection attempt, and every outage from the lost connection to the
/// reconnect (its attempts are its children), so an operator can follow one reconnect as one trace.
/// Only the listener's loop calls it, one call at a time.
/// </summary>
public sealed class ListenerTracer
{
    private readonly ActivitySource _source;
    private readonly string _database;
    private Activity? _outage;
    private int _attempt;

    internal ListenerTracer(ActivitySource source, string database)
    {
        _source = source;
        _database = database;
    }

    /// <summary>Starts the activity of one connection attempt; a child of the outage while there is one.</summary>
    public Activity? StartConnect()
    {
        _attempt++;
        var activity = _outage is { } outage
            ? _source.StartActivity(HubDiagnostics.Activities.ListenerConnect, ActivityKind.Client, outage.Context)
            : _source.StartActivity(HubDiagnostics.Activities.ListenerConnect, ActivityKind.Client);
        activity?.SetTag(HubDiagnostics.Attributes.Database, _database);
        activity?.SetTag(HubDiagnostics.Attributes.Attempt, _attempt);
        return activity;
    }

    /// <summary>The attempt of <paramref name="activity"/> has a connection to backend <paramref name="processId"/>.</summary>
    public void Connected(Activity? activity, int processId)
    {
        _attempt = 0;
        activity?.SetTag(HubDiagnostics.Attributes.ProcessId, processId);
    }

    /// <summary>The attempt of <paramref name="activity"/> failed.</summary>
    public static void Failed(Activity? activity, Exception error)
    {
        activity?.SetTag(HubDiagnostics.Attributes.ErrorType, error.GetType().FullName);
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    /// <summary>The listener lost its connection: an outage starts, as a trace of its own.</summary>
    public void ConnectionLost(Exception error)
    {
        if (_outage is not null)
        {
            return;
        }

        // The loop runs in the execution context of the subscriber that started it; an outage belongs to no call.
        var current = Activity.Current;
        Activity.Current = null;
        _outage = _source.StartActivity(HubDiagnostics.Activities.ListenerReconnect, ActivityKind.Internal);
        Activity.Current = current;
        _outage?.SetTag(HubDiagnostics.Attributes.Database, _database);
        _outage?.AddEvent(new ActivityEvent("connection lost", tags: new ActivityTagsCollection
        {
            [HubDiagnostics.Attributes.ErrorType] = error.GetType().FullName,
            ["exception.message"] = error.Message,
        }));
        _attempt = 0;
    }

    /// <summary>The listener is connected again; the resync covers <paramref name="since"/> to <paramref name="until"/>.</summary>
    public void Reconnected(DateTime since, DateTime until)
    {
        if (_outage is not { } outage)
        {
            return;
        }

        _outage = null;
        outage.SetTag(HubDiagnostics.Attributes.ResyncSince, since.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        outage.SetTag(HubDiagnostics.Attributes.ResyncUntil, until.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        outage.SetStatus(ActivityStatusCode.Ok);
        outage.Dispose();
    }

    /// <summary>The listener's loop ended; an outage still open ends unresolved.</summary>
    public void Stopped()
    {
        if (_outage is not { } outage)
        {
            return;
        }

        _outage = null;
        outage.SetStatus(ActivityStatusCode.Error, "The listener stopped before it reconnected.");
        outage.Dispose();
    }
}
