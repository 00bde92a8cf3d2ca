using Microsoft.Extensions.Options;

namespace Hub.Server.Telemetry;

/// <summary>
/// Identifies this hub process among the instances of a deployment.
/// </summary>
public sealed class HubInstance(IOptions<HubInstanceOptions> options, TimeProvider time)
{
    /// <summary>The instance id: <c>Hub:InstanceId</c>, or the host name and process id.</summary>
    public string Id { get; } = string.IsNullOrWhiteSpace(options.Value.InstanceId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}"
        : options.Value.InstanceId;

    /// <summary>When the process started serving, UTC.</summary>
    public DateTime StartedAt { get; } = time.GetUtcNow().UtcDateTime;
}
