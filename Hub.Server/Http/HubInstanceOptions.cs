namespace Hub.Server.Http;

/// <summary>
/// Bound from <c>Hub</c>: how this instance names itself.
/// </summary>
public sealed class HubInstanceOptions
{
    /// <summary>A stable name for this instance in stats, logs and telemetry; defaults to host name and process id.</summary>
    public string? InstanceId { get; set; }
}
