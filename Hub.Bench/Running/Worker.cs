using System.Diagnostics;
using Hub.Bench.Measuring;
using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>
/// Opens and holds a share of the bench's subscriber connections, in this process; see <see cref="WorkerProcess"/>
/// for the same in a child process.
/// </summary>
public sealed class Worker(WorkerSpec spec) : IBenchWorker
{
    private readonly LatencyRecorder _latencies = new();
    private readonly List<(RawHubConnection Connection, ConnectionProbe Probe, Task Loop, long SetupMessages)> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero });
    private int _closed;

    /// <summary>Connects and subscribes every connection, <see cref="WorkerSpec.ConnectConcurrency"/> at a time.</summary>
    public async Task<WorkerReady> ConnectAsync(CancellationToken cancellationToken)
    {
        var connectTimes = new LatencyHistogram();
        var failed = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(spec.ConnectConcurrency);
        var tasks = Enumerable.Range(0, spec.Connections).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var begun = Stopwatch.GetTimestamp();
                var (database, channel) = spec.StreamOf(i);
                var probe = new ConnectionProbe(database, channel, _latencies);
                var connection = await RawHubConnection.ConnectAsync(spec.HubUrl, spec.Protocol, _http, cancellationToken: cancellationToken).ConfigureAwait(false);
                connection.Sink = probe;
                await connection.SubscribeAsync(database, channel, cancellationToken).ConfigureAwait(false);
                var micros = Stopwatch.GetElapsedTime(begun).Ticks / 10;
                var setupMessages = connection.WebSocketMessagesReceived;
                lock (_connections)
                {
                    connectTimes.Record(micros);
                    _connections.Add((connection, probe, RunAsync(connection), setupMessages));
                }
            }
#pragma warning disable CA1031 // A failed connection is counted and reported, not fatal to the run.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, ex.GetBaseException().Message, null);
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new WorkerReady(_connections.Count, failed, firstError, Stopwatch.GetElapsedTime(started).TotalSeconds, connectTimes.ToSparse(), connectTimes.Max);
    }

    /// <inheritdoc />
    public Task<WorkerResult> CollectAsync(SentCounts sent, CancellationToken cancellationToken)
        => Task.FromResult(Collect(sent));

    /// <summary>Merges what every connection received; <paramref name="sent"/> is how many notifications each channel got.</summary>
    public WorkerResult Collect(SentCounts sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        long expected = 0, received = 0, unique = 0, duplicated = 0, lost = 0, outOfOrder = 0, resyncs = 0, unrecognized = 0, webSocketMessages = 0;
        lock (_connections)
        {
            foreach (var (connection, probe, _, setupMessages) in _connections)
            {
                // A connection can only receive what its own channel got.
                var ofItsChannel = sent.Of(probe.Database, probe.Channel);
                expected += ofItsChannel;
                webSocketMessages += connection.WebSocketMessagesReceived - setupMessages;
                received += probe.Received;
                unique += probe.Sequences.Unique;
                duplicated += probe.Sequences.Duplicates;
                outOfOrder += probe.Sequences.OutOfOrder;
                lost += probe.Sequences.Lost(ofItsChannel);
                resyncs += probe.Resyncs;
                unrecognized += probe.Unrecognized;
            }
        }

        var (overall, slots, first, last) = _latencies.Collect();
        return new WorkerResult(
            expected, received, unique, duplicated, lost, outOfOrder, resyncs, unrecognized, Volatile.Read(ref _closed),
            overall.ToSparse(), overall.Max,
            [.. slots.Select(static s => new WorkerSlot(s.Key, s.Value.ToSparse(), s.Value.Max))],
            first, last, webSocketMessages);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var (connection, _, _, _) in _connections)
        {
            connection.Abort();
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _http.Dispose();
        _latencies.Dispose();
    }

    private async Task RunAsync(RawHubConnection connection)
    {
        try
        {
            await connection.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
#pragma warning disable CA1031 // Counted as a closed connection below.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _closed);
        }
    }
}
