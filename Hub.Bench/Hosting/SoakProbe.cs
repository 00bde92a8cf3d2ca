using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Bench.Reporting;

namespace Hub.Bench.Hosting;

/// <summary>Reads a hub process's memory, handles and threads from /proc and its heap, GC pauses and connections from /api/stats.</summary>
public sealed class SoakProbe(int processId, Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<SoakSample> ReadAsync(double elapsedSeconds, CancellationToken cancellationToken)
    {
        var stats = await _http.GetFromJsonAsync<JsonElement>(new Uri(baseUrl, "/api/stats"), cancellationToken).ConfigureAwait(false);
        var memory = stats.GetProperty("memory");
        long resident = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                resident = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new SoakSample(
            elapsedSeconds,
            resident,
            memory.GetProperty("managedHeapBytes").GetInt64(),
            memory.GetProperty("gcPauseSeconds").GetDouble(),
            Directory.GetFileSystemEntries($"/proc/{processId}/fd").Length,
            threads,
            stats.GetProperty("connections").GetInt64());
    }

    public void Dispose() => _http.Dispose();
}
