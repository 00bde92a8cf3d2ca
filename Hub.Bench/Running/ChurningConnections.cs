using System.Collections.Concurrent;
using Hub.Testing.Wire;

namespace Hub.Bench.Running;

/// <summary>
/// Subscribed connections of which the oldest is dropped (the socket aborted, as a closed browser tab or a lost
/// phone does) and a new one opened at a steady rate, so the hub keeps setting connections up and tearing them down.
/// </summary>
public sealed class ChurningConnections(Uri hubUrl, WireProtocol protocol, string database, string channel) : IAsyncDisposable
{
    private readonly ConcurrentQueue<Held> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero });
    private long _connects;
    private long _disconnects;
    private long _failed;
    private long _closedByHub;

    public long Connects => Interlocked.Read(ref _connects);

    public long Disconnects => Interlocked.Read(ref _disconnects);

    public long ConnectsFailed => Interlocked.Read(ref _failed);

    public long ClosedByHub => Interlocked.Read(ref _closedByHub);

    public int Open => _open.Count;

    /// <summary>Opens <paramref name="count"/> connections, <paramref name="concurrency"/> at a time; not counted as churn.</summary>
    public async Task OpenAsync(int count, int concurrency, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Replaces <paramref name="perSecond"/> connections a second, spread over the second, until cancelled.</summary>
    public async Task ChurnAsync(int perSecond, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        var replacing = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                replacing.RemoveAll(static t => t.IsCompleted);
                if (_open.TryDequeue(out var oldest))
                {
                    oldest.Closing = true;
                    oldest.Connection.Abort();
                    await oldest.Connection.DisposeAsync().ConfigureAwait(false);
                    Interlocked.Increment(ref _disconnects);
                }

                // Not awaited here, so a slow connect does not slow the churn down.
                replacing.Add(CountedConnectAsync(cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            // The soak is over.
        }

        await Task.WhenAll(replacing).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        while (_open.TryDequeue(out var held))
        {
            held.Closing = true;
            held.Connection.Abort();
            await held.Connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _http.Dispose();
    }

    private async Task CountedConnectAsync(CancellationToken cancellationToken)
    {
        if (await ConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _connects);
        }
    }

    private async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        RawHubConnection? connection = null;
        try
        {
            connection = await RawHubConnection.ConnectAsync(hubUrl, protocol, _http, cancellationToken: cancellationToken).ConfigureAwait(false);
            await connection.SubscribeAsync(database, channel, cancellationToken).ConfigureAwait(false);
            var held = new Held(connection);
            _ = ReadAsync(held);
            _open.Enqueue(held);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return false;
        }
#pragma warning disable CA1031 // A failed connect is counted and reported, not fatal to the soak.
        catch (Exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return false;
        }
    }

    private async Task ReadAsync(Held held)
    {
        try
        {
            await held.Connection.RunAsync(_stop.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Ended by the bench (aborted) or by the hub: told apart below.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (!held.Closing && !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _closedByHub);
        }
    }

    private sealed class Held(RawHubConnection connection)
    {
        public RawHubConnection Connection { get; } = connection;

        /// <summary>Set by the bench before it aborts the connection, so its end is not counted as the hub's doing.</summary>
        public bool Closing { get => Volatile.Read(ref _closing); set => Volatile.Write(ref _closing, value); }

        private bool _closing;
    }
}
