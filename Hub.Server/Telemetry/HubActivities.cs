using System.Diagnostics;
using Hub.Server.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hub.Server.Telemetry;

/// <summary>
/// The hub's <see cref="ActivitySource"/>: traces of Subscribe and Unsubscribe calls, of listener connections
/// and outages, and of sampled notifications. Nothing is traced per notification unless
/// <see cref="TelemetryOptions.NotificationTraceRatio"/> asks for it.
/// </summary>
public sealed class HubActivities : IDisposable
{
    private readonly double _notificationRatio;
    private readonly TimeProvider _time;

    /// <summary>Creates the activity source.</summary>
    public HubActivities(IOptions<TelemetryOptions> options, TimeProvider time)
    {
        _notificationRatio = options.Value.NotificationTraceRatio;
        _time = time;
        Source = new ActivitySource(HubDiagnostics.Name, HubMetrics.Version);
    }

    /// <summary>The hub's activity source.</summary>
    public ActivitySource Source { get; }

    /// <summary>
    /// Runs one hub call (<paramref name="name"/> is <see cref="HubDiagnostics.Activities.Subscribe"/> or
    /// <see cref="HubDiagnostics.Activities.Unsubscribe"/>) inside an activity that records its arguments and result.
    /// </summary>
    public async Task<T> TraceCallAsync<T>(string name, string? database, string? channel, Func<Task<T>> call)
    {
        using var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
        {
            return await call().ConfigureAwait(false);
        }

        // Refused names come from the client: only well-formed ones are worth recording.
        if (database is not null && NameLimits.Fits(database))
        {
            activity.SetTag(HubDiagnostics.Attributes.Database, database);
        }

        if (channel is not null && NameLimits.Fits(channel))
        {
            activity.SetTag(HubDiagnostics.Attributes.Channel, channel);
        }

        try
        {
            var result = await call().ConfigureAwait(false);
            activity.SetTag(HubDiagnostics.Attributes.Result, HubDiagnostics.Results.Ok);
            if (result is string[] channels)
            {
                activity.SetTag(HubDiagnostics.Attributes.ChannelCount, channels.Length);
            }

            return result;
        }
        catch (Exception ex)
        {
            // A refusal has set the reason as the result already (HubMetrics.Rejected).
            if (activity.GetTagItem(HubDiagnostics.Attributes.Result) is null)
            {
                activity.SetTag(HubDiagnostics.Attributes.Result, HubDiagnostics.Results.Failed);
            }

            activity.SetTag(HubDiagnostics.Attributes.ErrorType, ex.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, ex is HubException ? ex.Message : null);
            throw;
        }
    }

    /// <inheritdoc cref="TraceCallAsync{T}(string, string?, string?, Func{Task{T}})"/>
    public Task TraceCallAsync(string name, string? database, string? channel, Func<Task> call)
        => TraceCallAsync(name, database, channel, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    /// <summary>The tracer of one database's listener.</summary>
    public ListenerTracer ForListener(string database) => new(Source, database);

    /// <summary>
    /// Traces a sent notification, from when the listener had it to now, for the sampled fraction of notifications.
    /// </summary>
    public void Delivered(NotificationEnvelope notification, Exception? error)
    {
        if (_notificationRatio <= 0 || !Source.HasListeners() || (_notificationRatio < 1 && Random.Shared.NextDouble() >= _notificationRatio))
        {
            return;
        }

        // Started after the fact: the listener's callback is no place for tracing work.
        using var activity = Source.StartActivity(
            HubDiagnostics.Activities.Notification,
            ActivityKind.Consumer,
            parentContext: default,
            startTime: new DateTimeOffset(notification.ReceivedAt, TimeSpan.Zero));
        if (activity is null)
        {
            return;
        }

        activity.SetTag(HubDiagnostics.Attributes.Database, notification.Database);
        activity.SetTag(HubDiagnostics.Attributes.Channel, notification.Channel);
        activity.SetTag(HubDiagnostics.Attributes.ProcessId, notification.ProcessId);
        if (error is not null)
        {
            activity.SetTag(HubDiagnostics.Attributes.ErrorType, error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.SetEndTime(_time.GetUtcNow().UtcDateTime);
    }

    /// <inheritdoc />
    public void Dispose() => Source.Dispose();
}
