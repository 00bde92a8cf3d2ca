using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The memory of hub processes for the fault figures: resident memory from <c>/proc/&lt;pid&gt;/status</c> (VmRSS)
/// and the managed heap the hub reports in <c>/api/stats</c>, as one short text per process.
/// </summary>
public static class HubMemory
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The memory of every instance still running, e.g. <c>hub1 RSS 98 MB heap 14 MB, hub2 ...</c>.</summary>
    public static async Task<string> OfAsync(IEnumerable<HubProcess> instances)
    {
        var running = instances.Where(static hub => !hub.HasExited).ToArray();
        var each = await Task.WhenAll(running.Select(static hub => OfProcessAsync(hub.InstanceId, hub.ProcessId, hub.BaseUrl)));
        return string.Join(", ", each);
    }

    /// <summary>The memory of an in-process hub: its RSS is the whole test process's.</summary>
    public static Task<string> OfAsync(HubHost hub) => OfProcessAsync("test process with the hub", Environment.ProcessId, hub.BaseUrl);

    private static async Task<string> OfProcessAsync(string name, int processId, Uri baseUrl)
    {
        var heap = await ManagedHeapBytesAsync(baseUrl);
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} RSS {Megabytes(ResidentBytes(processId))} heap {(heap is { } bytes ? Megabytes(bytes) : "unknown")}");
    }

    private static string Megabytes(long? bytes)
        => bytes is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value / (1024.0 * 1024.0):F0} MB") : "unknown";

    /// <summary>VmRSS of the process, in bytes; null when it is gone.</summary>
    private static long? ResidentBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(static l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            // "VmRSS:    123456 kB"
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<long?> ManagedHeapBytesAsync(Uri baseUrl)
    {
        try
        {
            var stats = await Http.GetFromJsonAsync<JsonElement>(new Uri(baseUrl, "/api/stats"));
            return stats.TryGetProperty("memory", out var memory) && memory.TryGetProperty("managedHeapBytes", out var heap) ? heap.GetInt64() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }
}
