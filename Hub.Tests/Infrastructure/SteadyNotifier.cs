using System.Globalization;
using Npgsql;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// Sends numbered NOTIFYs (payload 0, 1, 2, ...) one transaction each at a steady pace until stopped, as an
/// application under load would, so a fault can be applied in the middle and every number accounted for.
/// </summary>
public sealed class SteadyNotifier : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private readonly List<(DateTime Sent, DateTime Committed)> _times = [];
    private int _sent;

    private SteadyNotifier(string connectionString, string channel, TimeSpan interval)
        => _sending = Task.Run(() => SendAsync(connectionString, channel, interval));

    /// <summary>How many were committed so far; the last number sent is one less.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Per number, when its NOTIFY was sent and when its commit returned.</summary>
    public IReadOnlyList<(DateTime Sent, DateTime Committed)> Times
    {
        get
        {
            lock (_times)
            {
                return [.. _times];
            }
        }
    }

    public static SteadyNotifier Start(string connectionString, string channel, TimeSpan interval) => new(connectionString, channel, interval);

    /// <summary>Stops sending; returns the last number sent.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        await _sending;
        return Sent - 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task SendAsync(string connectionString, string channel, TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await SendOverOneConnectionAsync(connectionString, channel, timer);
            }
            catch (NpgsqlException) when (!_stop.IsCancellationRequested)
            {
                // PostgreSQL restarted or dropped the connection: that number was not committed; it is sent again
                // once a new connection opens, as an application that retries would.
                await Task.Delay(100);
            }
        }
    }

    private async Task SendOverOneConnectionAsync(string connectionString, string channel, PeriodicTimer timer)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", channel);
        var payload = command.Parameters.AddWithValue("payload", string.Empty);
        while (!_stop.IsCancellationRequested)
        {
            payload.Value = Sent.ToString(CultureInfo.InvariantCulture);
            var sent = DateTime.UtcNow;
            await command.ExecuteNonQueryAsync();
            lock (_times)
            {
                _times.Add((sent, DateTime.UtcNow));
            }

            Interlocked.Increment(ref _sent);
            try
            {
                await timer.WaitForNextTickAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
