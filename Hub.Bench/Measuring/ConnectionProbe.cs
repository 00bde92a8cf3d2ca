using System.Diagnostics;
using Hub.Testing.Wire;

namespace Hub.Bench.Measuring;

/// <summary>What one bench connection received on its one channel: its sequence numbers, latencies, resyncs and stray messages.</summary>
public sealed class ConnectionProbe(string database, string channel, LatencyRecorder latencies) : IHubMessageSink
{
    public string Database { get; } = database;

    public string Channel { get; } = channel;

    public SequenceTracker Sequences { get; } = new();

    public long Received { get; private set; }

    public long Resyncs { get; private set; }

    /// <summary>Notifications whose payload the bench did not write.</summary>
    public long Unrecognized { get; private set; }

    public void OnNotification(ReadOnlySpan<byte> payload)
    {
        var now = Stopwatch.GetTimestamp();
        Received++;
        if (!NotificationPayload.TryParse(payload, out var sequence, out var sent))
        {
            Unrecognized++;
            return;
        }

        Sequences.Record(sequence);
        latencies.Record(sent, now);
    }

    public void OnResync() => Resyncs++;
}
