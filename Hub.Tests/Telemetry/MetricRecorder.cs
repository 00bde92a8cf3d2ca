using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Hub.Tests.Telemetry;

/// <summary>One measurement as a <see cref="MeterListener"/> saw it.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string name) => Tags.GetValueOrDefault(name);
}

/// <summary>
/// Records the measurements of one <see cref="Meter"/> instance: the meter of one hub host, so the hubs other tests
/// run in this process at the same time never count.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    /// <summary>Every measurement recorded so far by <paramref name="instrument"/>.</summary>
    public IReadOnlyList<RecordedMeasurement> Recorded(string instrument)
        => _measurements.Where(m => m.Instrument == instrument).ToArray();

    /// <summary>The sum of what a counter or histogram recorded so far, for measurements matching <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags)
        => Recorded(instrument).Where(m => Matches(m, tags)).Sum(m => m.Value);

    /// <summary>Collects the observable instruments now and returns what <paramref name="instrument"/> reported.</summary>
    public IReadOnlyList<RecordedMeasurement> Observe(string instrument)
    {
        var before = _measurements.Count;
        _listener.RecordObservableInstruments();
        return _measurements.Skip(before).Where(m => m.Instrument == instrument).ToArray();
    }

    /// <summary>Collects the observable instruments now; the value <paramref name="instrument"/> reported for <paramref name="tags"/>, or null.</summary>
    public double? ObserveValue(string instrument, params (string Key, object? Value)[] tags)
        => Observe(instrument).Where(m => Matches(m, tags)).Select(m => (double?)m.Value).SingleOrDefault();

    public void Dispose() => _listener.Dispose();

    private static bool Matches(RecordedMeasurement measurement, (string Key, object? Value)[] tags)
        => tags.All(t => Equals(measurement.Tag(t.Key), t.Value));

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}
