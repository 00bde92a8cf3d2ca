using System.Collections.Concurrent;
using System.Diagnostics;
using Hub.Server.Telemetry;

namespace Hub.Tests.Telemetry;

/// <summary>
/// Records the hub's stopped activities about one database (other tests' hubs share the activity source name).
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityRecorder(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == HubDiagnostics.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem(HubDiagnostics.Attributes.Database) as string == database)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped(string name) => _stopped.Where(a => a.OperationName == name).ToArray();

    public void Dispose() => _listener.Dispose();
}
