namespace Hub.Server.Http;

/// <summary>
/// The process's memory in <c>GET /api/stats</c>, in bytes.
/// </summary>
/// <param name="WorkingSetBytes">Resident memory.</param>
/// <param name="PrivateBytes">Memory private to the process.</param>
/// <param name="ManagedHeapBytes">The managed heap after the last collection.</param>
/// <param name="Gen2Collections">Full garbage collections so far.</param>
/// <param name="GcPauseSeconds">The time the runtime was paused for garbage collections since the process started.</param>
public sealed record MemoryStats(long WorkingSetBytes, long PrivateBytes, long ManagedHeapBytes, int Gen2Collections, double GcPauseSeconds);
